/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text of a container's /etc/resolv.conf and /etc/hosts for its network mode (pure
 * functions: no files, no logging; callers write the result).
 *
 * resolv.conf: the host's, with --dns replacing the nameservers, --dns-search the search
 * list, --dns-option the options. Loopback nameservers (127.0.0.0/8, ::1: a local stub such
 * as systemd-resolved) mean nothing inside a private network namespace, so they are
 * translated for the mode: pasta → NET_PASTA_DNS (pasta --dns-forward maps it to the host's
 * first resolver), slirp4netns → NET_SLIRP_DNS (its built-in forwarder), bridge → dropped
 * (the host's other resolvers stay; with none left the file says so and --dns is needed).
 * none/host/container/ns: the host's as they are. */
#pragma once

#include <stdbool.h>

#include "engine/network/network.h"

/* Caller frees. *ret_forward: a loopback nameserver was translated to NET_PASTA_DNS. */
char *net_resolv_conf(const char *host_text, enum net_mode mode, char *const *dns, char *const *search,
		      char *const *options, bool *ret_forward);

/* /etc/hosts: localhost lines, "self_ip hostname name" (self_ip NULL: none written), the
 * host's alias "host_ip host.containers.internal host.docker.internal" (NULL: none), then
 * --add-host entries ("NAME:IP", IP "host-gateway" = host_ip). base (the host's /etc/hosts,
 * for --network host) replaces the localhost lines when given. Caller frees. -EINVAL-free:
 * entries are validated by net_add_host_valid() first. */
char *net_hosts_text(const char *base, const char *self_ip, const char *hostname, const char *name,
		     const char *host_ip, char *const *add_host);

/* "NAME:IP" (IP v4, v6 or "host-gateway"); static reason on failure. */
bool net_add_host_valid(const char *entry, const char **ret_why);
