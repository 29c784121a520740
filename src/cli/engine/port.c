/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri port CONTAINER [PRIVATE_PORT[/PROTO]]: the published ports, podman's format
 * ("80/tcp -> 0.0.0.0:8080"), one line per port (a range gives one line per port in it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/container/record.h"
#include "engine/container/spec-network.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/log.h"

int verb_port(int argc, char **argv)
{
	static const struct cli_option opts[] = {{0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "port", false};
	const char *v;
	int id;
	while ((id = cli_next(&p, &v)) > 0)
		;
	if (id < 0)
		return EXIT_ENGINE;
	if (p.i >= argc || argc - p.i > 2)
		return cli_usage_error("port", "expected CONTAINER [PRIVATE_PORT[/PROTO]]");
	unsigned want = 0;
	const char *want_proto = NULL;
	if (argc - p.i == 2) {
		char *end;
		want = (unsigned)strtoul(argv[p.i + 1], &end, 10);
		if (*end == '/')
			want_proto = end + 1;
		else if (*end)
			want = 0;
		if (want == 0 || want > 65535 || (want_proto && !STREQ(want_proto, "tcp") && !STREQ(want_proto, "udp")))
			return cli_usage_error("port", "'%s': expected PORT or PORT/tcp|udp", argv[p.i + 1]);
	}
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	cleanup_free char *cid = NULL;
	struct ctr_record *rec = NULL;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	int rc = EXIT_ENGINE;
	if (ctr_lookup(s, argv[p.i], &cid) < 0 || ctr_record_load(s, cid, &rec) < 0)
		goto out;
	struct net_port *ports = NULL;
	size_t n = 0;
	if (ctr_net_ports(rec, &ports, &n) < 0)
		goto out;
	bool found = false;
	for (size_t i = 0; i < n; i++)
		for (unsigned k = 0; k < ports[i].count; k++) {
			const char *proto = ports[i].udp ? "udp" : "tcp";
			unsigned cp = ports[i].ctr_port + k;
			if (want && (cp != want || (want_proto ? !STREQ(want_proto, proto) : ports[i].udp)))
				continue;
			const char *ip = ports[i].host_ip[0] ? ports[i].host_ip : "0.0.0.0";
			bool v6 = strchr(ip, ':') != NULL;
			if (want)
				printf("%s%s%s:%u\n", v6 ? "[" : "", ip, v6 ? "]" : "", ports[i].host_port + k);
			else
				printf("%u/%s -> %s%s%s:%u\n", cp, proto, v6 ? "[" : "", ip, v6 ? "]" : "",
				       ports[i].host_port + k);
			found = true;
		}
	free(ports);
	if (want && !found) {
		log_error("failed to find published port \"%s\"", argv[p.i + 1]);
		goto out;
	}
	rc = 0;
out:
	ctr_record_free(rec);
	engine_config_free(&cfg);
	return rc;
}
