/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capability masks as `kakuri audit` judges them: decoding to names, the default set
 * (SECURITY-NOTES: the containers.conf default of 11), and how dangerous each extra one is.
 * Pure: no I/O except audit_caps_all() (/proc/sys/kernel/cap_last_cap). */
#pragma once

#include <stdint.h>

#include "engine/audit/findings.h"

/* CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID
 * SYS_CHROOT: 0x800405fb. */
#define AUDIT_CAPS_DEFAULT UINT64_C(0x00000000800405fb)

/* Every capability this kernel knows (bits 0..cap_last_cap). */
uint64_t audit_caps_all(void);
/* Names without the CAP_ prefix ("SYS_ADMIN"), lowest first; a NULL-terminated strv
 * (caller frees with cu_strv_free); unknown bits as "CAP_42"'s number "42". NULL on ENOMEM. */
char **audit_caps_names(uint64_t mask);
/* The severity of holding cap beyond the default set (SYS_ADMIN critical, NET_ADMIN high,
 * NET_RAW medium, AUDIT_WRITE low, ...). */
enum audit_severity audit_cap_severity(int cap);
/* One line on why cap matters ("mount, BPF, namespaces: nearly root"). */
const char *audit_cap_why(int cap);
