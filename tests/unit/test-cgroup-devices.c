/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device allow-list semantics, and the cgroup v2 BPF program agreeing with them: the
 * program is run here by a tiny interpreter of the instructions it uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "runtime/cgroup-devices.h"
#include "tap.h"

/* Returns r0, or -1 for an instruction the generator must not emit / a bad jump. */
static long run_prog(const struct bpf_insn *p, size_t n, uint32_t ctx[3])
{
	uint64_t r[11] = { 0 };
	size_t pc = 0;
	for (int steps = 0; steps < 100000 && pc < n; steps++) {
		const struct bpf_insn *i = &p[pc];
		uint8_t cls = BPF_CLASS(i->code);
		if (cls == BPF_LDX) {
			if (i->code != (BPF_LDX | BPF_MEM | BPF_W) || i->src_reg != BPF_REG_1 || i->off % 4 || i->off > 8 || i->off < 0)
				return -1;
			r[i->dst_reg] = ctx[i->off / 4];
		} else if (cls == BPF_ALU64) {
			uint64_t src = BPF_SRC(i->code) == BPF_X ? r[i->src_reg] : (uint64_t)(int64_t)i->imm;
			switch (BPF_OP(i->code)) {
			case BPF_MOV:
				r[i->dst_reg] = src;
				break;
			case BPF_AND:
				r[i->dst_reg] &= src;
				break;
			case BPF_RSH:
				r[i->dst_reg] >>= src;
				break;
			default:
				return -1;
			}
		} else if (cls == BPF_JMP) {
			uint64_t imm = (uint64_t)(uint32_t)i->imm;
			bool jump;
			switch (BPF_OP(i->code)) {
			case BPF_EXIT:
				return (long)r[0];
			case BPF_JA:
				jump = true;
				break;
			case BPF_JEQ:
				jump = r[i->dst_reg] == imm;
				break;
			case BPF_JNE:
				jump = r[i->dst_reg] != imm;
				break;
			default:
				return -1;
			}
			if (jump) {
				long t = (long)pc + 1 + i->off;
				if (t < 0 || (size_t)t >= n)
					return -1;
				pc = (size_t)t;
				continue;
			}
		} else {
			return -1;
		}
		pc++;
	}
	return -1;
}

/* The kernel's verifier refuses a program with unreachable instructions or jumps out of it. */
static bool all_reachable(const struct bpf_insn *p, size_t n)
{
	bool *seen = calloc(n + 1, 1);
	size_t *stack = calloc(n + 1, sizeof(size_t)), sp = 0;
	bool ok = true;
	stack[sp++] = 0;
	while (sp > 0 && ok) {
		size_t pc = stack[--sp];
		if (pc >= n) {
			ok = false;
			break;
		}
		if (seen[pc])
			continue;
		seen[pc] = true;
		const struct bpf_insn *i = &p[pc];
		if (BPF_CLASS(i->code) == BPF_JMP && BPF_OP(i->code) == BPF_EXIT)
			continue;
		if (BPF_CLASS(i->code) == BPF_JMP) {
			long t = (long)pc + 1 + i->off;
			if (t < 0 || (size_t)t >= n) {
				ok = false;
				break;
			}
			stack[sp++] = (size_t)t;
			if (BPF_OP(i->code) == BPF_JA)
				continue;
		}
		stack[sp++] = pc + 1;
	}
	for (size_t i = 0; i < n && ok; i++)
		if (!seen[i]) {
			printf("#   unreachable instruction %zu\n", i);
			ok = false;
		}
	free(seen);
	free(stack);
	return ok;
}

static long bpf_check(const struct bpf_insn *p, size_t n, char type, uint32_t maj, uint32_t min, unsigned acc)
{
	uint32_t ctx[3] = { (acc << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR), maj, min };
	return run_prog(p, n, ctx);
}

static struct cgroup_device_rule R(bool allow, char type, int64_t maj, int64_t min, const char *acc)
{
	struct cgroup_device_rule r = { allow, type, maj, min, 0 };
	cgroup_device_access_parse(acc, &r.access);
	return r;
}

/* Every device/access combination that matters, checked against the reference. */
static void agree(const struct cgroup_device_rule *rules, size_t n)
{
	struct bpf_insn *prog = NULL;
	size_t np = 0;
	CHECK(cgroup_devices_bpf_build(rules, n, &prog, &np) == 0);
	CHECK(all_reachable(prog, np));
	static const uint32_t majors[] = { 1, 5, 8, 10, 136, 254 }, minors[] = { 0, 3, 5, 229, 7 };
	int mismatches = 0;
	for (int t = 0; t < 2; t++)
		for (size_t a = 0; a < ELEMENTSOF(majors); a++)
			for (size_t b = 0; b < ELEMENTSOF(minors); b++)
				for (unsigned acc = 1; acc <= 7; acc++) {
					char type = t ? 'b' : 'c';
					bool want = cgroup_devices_allowed(rules, n, type, majors[a], minors[b], acc);
					long got = bpf_check(prog, np, type, majors[a], minors[b], acc);
					if (got != (want ? 1 : 0) && mismatches++ < 5)
						printf("#   %c %u:%u acc %u: reference %d, program %ld\n", type, majors[a], minors[b], acc,
						       want, got);
				}
	CHECK(mismatches == 0);
	free(prog);
}

TEST(effective_list_denies_by_default_and_allows_standard_devices)
{
	struct cgroup_device_rule *v = NULL;
	size_t n = 0;
	struct cgroup_device_rule extra = R(true, 'c', 10, 200, "rwm");
	CHECK(cgroup_device_rules_effective(NULL, 0, &extra, 1, &v, &n) == 0);
	CHECK(!cgroup_devices_allowed(v, n, 'b', 8, 0, CGROUP_DEV_READ));
	CHECK(!cgroup_devices_allowed(v, n, 'c', 10, 229, CGROUP_DEV_READ));
	CHECK(cgroup_devices_allowed(v, n, 'c', 1, 3, CGROUP_DEV_READ | CGROUP_DEV_WRITE));
	CHECK(cgroup_devices_allowed(v, n, 'c', 136, 4, CGROUP_DEV_RWM));
	CHECK(cgroup_devices_allowed(v, n, 'c', 10, 200, CGROUP_DEV_WRITE));
	CHECK(!cgroup_devices_allowed(v, n, 'b', 1, 3, CGROUP_DEV_READ)); /* type matters */
	agree(v, n);
	free(v);
}

TEST(last_matching_rule_decides_per_access_bit)
{
	struct cgroup_device_rule cfg[] = {
		R(true, 'a', -1, -1, "rwm"),   /* privileged */
		R(false, 'c', 10, 229, "w"),   /* but no writes to fuse */
		R(false, 'b', 8, -1, "m"),     /* no mknod of sd* */
	};
	struct cgroup_device_rule *v = NULL;
	size_t n = 0;
	CHECK(cgroup_device_rules_effective(cfg, ELEMENTSOF(cfg), NULL, 0, &v, &n) == 0);
	CHECK(cgroup_devices_allowed(v, n, 'c', 10, 229, CGROUP_DEV_READ));
	CHECK(!cgroup_devices_allowed(v, n, 'c', 10, 229, CGROUP_DEV_READ | CGROUP_DEV_WRITE));
	CHECK(cgroup_devices_allowed(v, n, 'b', 8, 0, CGROUP_DEV_READ | CGROUP_DEV_WRITE));
	CHECK(!cgroup_devices_allowed(v, n, 'b', 8, 3, CGROUP_DEV_MKNOD));
	CHECK(cgroup_devices_allowed(v, n, 'b', 9, 3, CGROUP_DEV_MKNOD));
	agree(v, n);
	free(v);
}

TEST(allow_bits_add_up_across_rules)
{
	struct cgroup_device_rule cfg[] = { R(false, 'a', -1, -1, ""), R(true, 'c', 10, 229, "r"), R(true, 'c', 10, 229, "w") };
	CHECK(cgroup_devices_allowed(cfg, 3, 'c', 10, 229, CGROUP_DEV_READ | CGROUP_DEV_WRITE));
	CHECK(!cgroup_devices_allowed(cfg, 3, 'c', 10, 229, CGROUP_DEV_MKNOD));
	agree(cfg, 3);
}

TEST(wildcards_and_type_a)
{
	struct json_object *j = json_tokener_parse(
		"[{\"allow\":false,\"type\":\"a\",\"major\":5,\"minor\":5,\"access\":\"r\"},"
		"{\"allow\":true,\"type\":\"c\",\"access\":\"m\"},{\"allow\":true,\"type\":\"b\",\"major\":8,\"access\":\"rw\"},"
		"{\"allow\":false,\"type\":\"b\",\"major\":8,\"minor\":5,\"access\":\"w\"}]");
	struct cgroup_device_rule *cfg = NULL;
	size_t n = 0;
	char *err = NULL;
	CHECK(cgroup_device_rules_from_json(j, &cfg, &n, &err) == 0 && n == 4);
	json_object_put(j);
	/* 'a' is every device and every access whatever the rule says, as the v1 kernel reads it */
	CHECK(cfg[0].major == -1 && cfg[0].access == CGROUP_DEV_RWM);
	CHECK(cfg[1].major == -1 && cfg[1].minor == -1);
	CHECK(cgroup_devices_allowed(cfg, 4, 'c', 42, 1, CGROUP_DEV_MKNOD));
	CHECK(!cgroup_devices_allowed(cfg, 4, 'c', 42, 1, CGROUP_DEV_READ));
	CHECK(cgroup_devices_allowed(cfg, 4, 'b', 8, 0, CGROUP_DEV_WRITE));
	CHECK(!cgroup_devices_allowed(cfg, 4, 'b', 8, 5, CGROUP_DEV_WRITE));
	agree(cfg, 4);
	free(cfg);
}

TEST(empty_list_denies_everything)
{
	CHECK(!cgroup_devices_allowed(NULL, 0, 'c', 1, 3, CGROUP_DEV_READ));
	agree(NULL, 0);
}

TEST(v1_syntax_round_trips)
{
	char buf[64];
	struct cgroup_device_rule r = R(true, 'c', 136, -1, "rwm"), back;
	cgroup_device_rule_format(&r, buf, sizeof(buf));
	CHECK_STREQ(buf, "c 136:* rwm");
	CHECK(cgroup_device_rule_parse(buf, true, &back) == 0);
	CHECK(back.type == 'c' && back.major == 136 && back.minor == -1 && back.access == CGROUP_DEV_RWM);
	r = R(false, 'a', -1, -1, "rwm");
	cgroup_device_rule_format(&r, buf, sizeof(buf));
	CHECK_STREQ(buf, "a");
	r = R(true, 'b', 8, 16, "r");
	cgroup_device_rule_format(&r, buf, sizeof(buf));
	CHECK_STREQ(buf, "b 8:16 r");
	CHECK(cgroup_device_rule_parse("x 1:2 r", true, &back) < 0);
	CHECK(cgroup_device_rule_parse("c 1: r", true, &back) < 0);
	CHECK(cgroup_device_rule_parse("c 1:2 q", true, &back) < 0);
	CHECK(cgroup_device_rule_parse("c 1:2 ", true, &back) < 0);
}

TEST(access_letters)
{
	unsigned a;
	CHECK(cgroup_device_access_parse("rw", &a) == 0 && a == (CGROUP_DEV_READ | CGROUP_DEV_WRITE));
	CHECK(cgroup_device_access_parse(NULL, &a) == 0 && a == CGROUP_DEV_RWM);
	CHECK(cgroup_device_access_parse("rwx", &a) < 0);
}

TAP_MAIN
