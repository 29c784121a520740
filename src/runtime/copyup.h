/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "tmpcopyup" (a runc extension podman relies on): a tmpfs mounted over a directory of the
 * image starts with a copy of that directory's content, so e.g. a tmpfs /etc/app keeps
 * the image's files. The source is the covered image directory (reached through the fd
 * held from before the mount); the walk is by single names below fds with O_NOFOLLOW, so
 * symlinks in the image are copied as symlinks and never followed. No container process
 * runs yet, so nothing races us in the fresh tmpfs.
 * Regular files, directories, symlinks and FIFOs are copied with mode and owner (owner
 * best effort: ids unmapped in a user namespace are left to the creator); device nodes and
 * sockets are skipped. */
#pragma once

/* Copy the content of directory srcfd into directory dstfd (either may be O_PATH), and
 * give dstfd the mode and owner of srcfd. Returns 0 or -errno, logs at debug only. */
int copyup_tree(int srcfd, int dstfd);
