/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pull.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/image/image.h"
#include "engine/image/layer.h"
#include "engine/image/manifest.h"
#include "engine/image/partial.h"
#include "engine/image/progress.h"
#include "engine/image/reference.h"
#include "engine/image/registry.h"
#include "engine/image/transfer.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

/* ---- short names ---- */

static char **search_registries(void)
{
	const char *env = getenv("KAKURI_SEARCH_REGISTRIES");
	char **v = calloc(9, sizeof(char *));
	size_t n = 0;
	if (!v)
		return NULL;
	cleanup_free char *text = NULL;
	if (env && *env) {
		text = strdup(env);
	} else {
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
		char path[4096];
		if (xdg && *xdg)
			snprintf(path, sizeof(path), "%s/containers/registries.conf", xdg);
		else
			snprintf(path, sizeof(path), "%s/.config/containers/registries.conf",
				 home ? home : "/nonexistent");
		const char *files[] = {path, "/etc/containers/registries.conf"};
		for (size_t f = 0; f < 2 && !text; f++) {
			cleanup_fclose FILE *fp = fopen(files[f], "re");
			char line[1024];
			while (fp && fgets(line, sizeof(line), fp)) {
				char *p = line;
				while (*p == ' ' || *p == '\t')
					p++;
				if (strncmp(p, "unqualified-search-registries", 29) != 0)
					continue;
				char *lb = strchr(p, '['), *rb = lb ? strchr(lb, ']') : NULL;
				if (!lb || !rb)
					continue;
				text = strndup(lb + 1, (size_t)(rb - lb - 1));
				for (char *c = text; c && *c; c++)
					if (*c == '"' || *c == '\'' || *c == ' ' || *c == '\t')
						memmove(c, c + 1, strlen(c)), c--;
				break;
			}
		}
	}
	if (text) {
		char *save = NULL;
		for (char *t = strtok_r(text, ",", &save); t && n < 8; t = strtok_r(NULL, ",", &save))
			if (*t)
				v[n++] = strdup(t);
	}
	if (n == 0)
		v[n++] = strdup("docker.io");
	return v;
}

/* ---- the pull ---- */

struct pulled {
	struct image_ref *ref;
	struct registry *reg;
	char *mdata, *mtype, *cdata;
	size_t mlen, clen;
	char mdigest[DIGEST_STRING_SIZE];
	char list_digest[DIGEST_STRING_SIZE]; /* index digest, "" if none */
	struct manifest *m;
	struct image_config *cfg;
};

static void pulled_clear(struct pulled *p)
{
	image_ref_free(p->ref);
	registry_free(p->reg);
	free(p->mdata);
	free(p->mtype);
	free(p->cdata);
	manifest_free(p->m);
	image_config_free(p->cfg);
	*p = (struct pulled){0};
}

static int fetch_manifest(struct pulled *p, const struct pull_opts *o)
{
	cleanup_free char *err = NULL;
	const char *ref = p->ref->digest ? p->ref->digest : p->ref->tag;
	int r = registry_get_manifest(p->reg, ref, &p->mdata, &p->mlen, &p->mtype, p->mdigest);
	if (r < 0)
		return r;
	r = manifest_parse(p->mdata, p->mlen, p->mtype, &p->m, &err);
	if (r < 0)
		return log_error_errno(r, "%s/%s: %s", p->ref->registry, p->ref->repository,
				       err ? err : "bad manifest");
	if (p->m->kind == MANIFEST_INDEX) {
		const struct descriptor *d;
		cleanup_free char *os = NULL, *arch = NULL, *variant = NULL, *digest = NULL;
		if (o->platform && manifest_parse_platform(o->platform, &os, &arch, &variant) < 0)
			return log_error_errno(-EINVAL, "--platform '%s': expected OS/ARCH[/VARIANT]", o->platform);
		r = manifest_select_platform(p->m, os, arch, variant, &d, &err);
		if (r < 0)
			return log_error_errno(r, "%s/%s: %s", p->ref->registry, p->ref->repository, err);
		digest = strdup(d->digest);
		if (!digest)
			return -ENOMEM;
		memcpy(p->list_digest, p->mdigest, sizeof(p->mdigest));
		manifest_free(p->m);
		p->m = NULL;
		free(p->mdata);
		free(p->mtype);
		p->mdata = p->mtype = NULL;
		r = registry_get_manifest(p->reg, digest, &p->mdata, &p->mlen, &p->mtype, p->mdigest);
		if (r < 0)
			return r;
		r = manifest_parse(p->mdata, p->mlen, p->mtype, &p->m, &err);
		if (r < 0)
			return log_error_errno(r, "%s/%s: %s", p->ref->registry, p->ref->repository,
					       err ? err : "bad manifest");
		if (p->m->kind != MANIFEST_IMAGE)
			return log_error_errno(-EINVAL, "%s/%s: the index entry for the platform is itself an index",
					       p->ref->registry, p->ref->repository);
	}
	r = registry_get_blob(p->reg, p->m->config.digest, 8u << 20, &p->cdata, &p->clen);
	if (r < 0)
		return r;
	r = image_config_parse(p->cdata, p->clen, &p->cfg, &err);
	if (r < 0)
		return log_error_errno(r, "%s/%s: %s", p->ref->registry, p->ref->repository,
				       err ? err : "bad image config");
	if (p->cfg->n_diff_ids != p->m->n_layers)
		return log_error_errno(-EINVAL, "%s/%s: the manifest has %zu layers but the config %zu diff_ids",
				       p->ref->registry, p->ref->repository, p->m->n_layers, p->cfg->n_diff_ids);
	return 0;
}

/* What to do for layer i: 0 nothing (present, pinned), 1 download blob only, 2 unpack the
 * stored blob, 3 download and unpack. */
static int plan_layer(struct store *s, const char *diff_id, const char *blob)
{
	bool have_l = store_layer_exists(s, diff_id), have_b = store_blob_exists(s, blob);
	if (have_l && have_b && store_pin_layer(s, diff_id) >= 0 && store_pin_blob(s, blob) >= 0)
		return 0;
	if (have_l && store_pin_layer(s, diff_id) >= 0)
		return 1;
	if (have_b && store_pin_blob(s, blob) >= 0)
		return 2;
	return 3;
}

static void short_id(const char *digest, char buf[static 24])
{
	snprintf(buf, 24, "sha256:%.12s", digest_hex(digest));
}

/* Unpacks layer i from its stored (pinned) blob. */
static int unpack_stored(struct store *s, struct pulled *p, const struct pull_opts *o, size_t i)
{
	const struct descriptor *d = &p->m->layers[i];
	cleanup_free char *path = NULL;
	char what[128], sid[24];
	int r = store_blob_path(s, d->digest, &path);
	if (r < 0)
		return r;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "Blob %s: %m", d->digest);
	short_id(d->digest, sid);
	snprintf(what, sizeof(what), "%s/%s: layer %s", p->ref->registry, p->ref->repository, sid);
	return layer_import(s, fd, 0, -1, p->cfg->diff_ids[i], d->digest, what, o->quiet, NULL);
}

static int hash_file(int fd, uint64_t n, struct sha256_ctx *c)
{
	static char buf[1 << 20];
	for (uint64_t off = 0; off < n;) {
		size_t want = n - off < sizeof(buf) ? (size_t)(n - off) : sizeof(buf);
		ssize_t k = pread(fd, buf, want, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		sha256_update(c, buf, (size_t)k);
		off += (uint64_t)k;
	}
	return 0;
}

/* Where x's bytes go: its partial (resumed from where an earlier pull stopped, after hashing
 * what is there), or, when another live pull owns that, a file in our scratch dir. */
static int xfer_setup_file(struct store *s, struct xfer *x, int tfd)
{
	uint64_t have = 0;
	int fd, r;
	sha256_init(&x->sha);
	fd = partial_open(s, x->digest, &have);
	if (fd >= 0) {
		x->blob_fd = fd;
		x->partial = true;
		if (have > 0 && (x->size < 0 || have <= (uint64_t)x->size)) {
			r = hash_file(fd, have, &x->sha);
			if (r < 0)
				return log_error_errno(r, "Failed to read the partial download of %s: %m", x->digest);
			x->got = have;
			x->resumed = true;
			x->done = x->size >= 0 && have == (uint64_t)x->size;
			log_debug("blob %s: %s partial download (%llu bytes)", x->digest,
				  x->done ? "verifying a complete" : "resuming with a Range request after a",
				  (unsigned long long)have);
		} else if (have > 0 && ftruncate(fd, 0) < 0) {
			return log_error_errno(-errno, "Failed to truncate the partial download of %s: %m", x->digest);
		}
		return 0;
	}
	if (fd == -EBUSY)
		log_debug("blob %s: another pull is downloading it; using our own scratch file", x->digest);
	else
		log_debug_errno(fd, "blob %s: no partial download file (%m); using a scratch file", x->digest);
	x->blob_fd = openat(tfd, x->blob_name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (x->blob_fd < 0)
		return log_error_errno(-errno, "Failed to create a scratch file: %m");
	return 0;
}

/* Checks a finished transfer: the unpacker's report, the diff_id, the blob digest. Sets
 * *bad (after logging) if x failed; sets x->want_restart instead for a resumed partial that
 * does not verify (its old bytes may be what is wrong). */
static void xfer_verify(struct store *s, struct pulled *p, struct xfer *x, bool *bad)
{
	char computed[DIGEST_STRING_SIZE];
	digest_final(&x->sha, computed);
	if (x->job) {
		struct unpack_result res;
		cleanup_free char *err = NULL;
		int jr = layer_unpack_finish(s, x->job, &res, &err);
		if (jr < 0) {
			char sid[24];
			layer_job_free(x->job);
			x->job = NULL;
			if (x->failed && x->keep) {
				/* The transfer broke off: that, not the truncated layer, is the news. */
				if (!x->err[0])
					registry_describe_failure(x->h, x->code, x->digest, x->err, sizeof(x->err));
				log_error("%s/%s: %s", p->ref->registry, p->ref->repository, x->err);
			} else {
				short_id(x->digest, sid);
				log_error("%s/%s: layer %s refused: %s", p->ref->registry, p->ref->repository, sid,
					  err ? err : strerror(-jr));
				x->keep = false;
			}
			*bad = true;
			return;
		}
		/* The blob digest is checked below, on the bytes as they came in. */
		if (!x->failed && !STREQ(res.diff_id, p->cfg->diff_ids[x->idx])) {
			snprintf(x->err, sizeof(x->err), "layer %s: diff_id mismatch (the config says %s, the layer is %s)",
				 x->digest, p->cfg->diff_ids[x->idx], res.diff_id);
			x->failed = true;
			x->keep = false;
		}
		x->tar_bytes = res.tar_bytes;
		x->entries = res.entries;
	}
	if (!x->failed && (!STREQ(computed, x->digest) || (x->size >= 0 && x->got != (uint64_t)x->size))) {
		x->keep = false;
		if (x->resumed && !x->restarted) {
			log_debug("blob %s: the resumed download hashes to %s; downloading it again from the start",
				  x->digest, computed);
			x->want_restart = true;
			return;
		}
		snprintf(x->err, sizeof(x->err), "blob %s: content hashes to %s (%llu bytes)", x->digest, computed,
			 (unsigned long long)x->got);
		x->failed = true;
	}
	if (x->failed) {
		if (!x->err[0])
			registry_describe_failure(x->h, x->code, x->digest, x->err, sizeof(x->err));
		if (!*bad)
			log_error("%s/%s: %s", p->ref->registry, p->ref->repository, x->err);
		*bad = true;
	}
}

static int xfer_restart(struct xfer *x, struct registry *reg)
{
	if (ftruncate(x->blob_fd, 0) < 0)
		return log_error_errno(-errno, "Failed to truncate the download of %s: %m", x->digest);
	if (x->h)
		curl_easy_cleanup(x->h);
	x->h = NULL;
	sha256_init(&x->sha);
	x->got = 0;
	x->done = x->failed = x->want_restart = false;
	x->restarted = x->keep = true;
	x->code = CURLE_OK;
	x->err[0] = 0;
	return xfer_open_handle(x, reg);
}

static int fetch_layers(struct store *s, struct pulled *p, const struct pull_opts *o, struct progress *prog)
{
	size_t n = p->m->n_layers;
	int *plan = calloc(n + 1, sizeof(int));
	struct xfer *xs = calloc(n + 1, sizeof(*xs));
	size_t nx = 0;
	int r = 0;
	if (!plan || !xs) {
		free(plan);
		free(xs);
		return -ENOMEM;
	}
	r = store_lock(s, true);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		plan[i] = plan_layer(s, p->cfg->diff_ids[i], p->m->layers[i].digest);
	store_unlock(s);

	int tfd = store_tmp(s, NULL);
	if (tfd < 0) {
		r = tfd;
		goto out;
	}
	const char *ab = getenv("KAKURI_PULL_TEST_ABORT_AFTER");
	xfer_set_test_abort(ab ? strtoull(ab, NULL, 10) : 0);
	for (size_t i = 0; i < n; i++) {
		const struct descriptor *d = &p->m->layers[i];
		char label[48], sid[24];
		short_id(d->digest, sid);
		snprintf(label, sizeof(label), "blob %s", sid);
		if (plan[i] == 0) {
			progress_start(prog, i, label, (uint64_t)d->size);
			progress_end(prog, i, "skipped: already exists");
			continue;
		}
		if (plan[i] == 2) {
			progress_start(prog, i, label, (uint64_t)d->size);
			r = unpack_stored(s, p, o, i);
			if (r < 0)
				goto out;
			progress_end(prog, i, "done (from the store)");
			continue;
		}
		struct xfer *x = &xs[nx++];
		x->idx = i;
		x->digest = d->digest;
		x->size = d->size;
		x->prog = prog;
		x->pipe_fd = -EBADF;
		x->keep = true;
		snprintf(x->blob_name, sizeof(x->blob_name), "pull-%zu-%.16s", i, digest_hex(d->digest));
		r = xfer_setup_file(s, x, tfd);
		if (r < 0)
			goto out;
		if (plan[i] == 3 && x->resumed) {
			/* The bytes already on disk cannot go through the pipe cheaply; the layer is
			 * unpacked from the committed blob instead. */
			x->unpack_after = true;
		} else if (plan[i] == 3) {
			int pp[2];
			if (pipe2(pp, O_CLOEXEC) < 0) {
				r = log_error_errno(-errno, "pipe failed: %m");
				goto out;
			}
			fcntl(pp[1], F_SETPIPE_SZ, 1 << 20);
			r = layer_unpack_start(s, pp[0], 0, -1, o->quiet, true, &x->job);
			close(pp[0]);
			if (r < 0) {
				close(pp[1]);
				goto out;
			}
			x->pipe_fd = pp[1];
			fcntl(x->pipe_fd, F_SETFL, O_NONBLOCK);
		}
		progress_start(prog, i, label, (uint64_t)d->size);
		if (x->done) {
			progress_update(prog, i, x->got);
			continue; /* a complete partial */
		}
		r = xfer_open_handle(x, p->reg);
		if (r < 0)
			goto out;
	}
	if (nx > 0) {
		bool bad = false, again = false;
		int tr = xfer_run_all(xs, nx, p->reg);
		/* Hear every unpacker first: a refused layer explains a broken pipe. */
		for (size_t k = 0; k < nx; k++) {
			xfer_verify(s, p, &xs[k], &bad);
			again |= xs[k].want_restart;
		}
		if (again && !bad && tr >= 0) {
			/* Resumed partials that did not verify: once more from the first byte. */
			for (size_t k = 0; k < nx && r >= 0; k++)
					if (xs[k].want_restart)
					r = xfer_restart(&xs[k], p->reg);
			if (r < 0)
				goto out;
			tr = xfer_run_all(xs, nx, p->reg);
			for (size_t k = 0; k < nx; k++)
				if (xs[k].restarted)
					xfer_verify(s, p, &xs[k], &bad);
		}
		if (bad || tr < 0) {
			for (size_t k = 0; k < nx; k++)
				if (xs[k].job)
					layer_unpack_abort(s, xs[k].job);
			r = -EIO;
			goto out;
		}
		r = store_lock(s, true);
		if (r < 0)
			goto out;
		for (size_t k = 0; k < nx && r >= 0; k++) {
			struct xfer *x = &xs[k];
			/* The partial moves while we hold its flock: nobody can have opened and
			 * locked it in between (partial_open() checks the name after locking). */
			if (x->partial) {
				r = partial_take(s, x->digest, x->blob_name);
				x->taken = r >= 0;
			}
			x->blob_fd = safe_close(x->blob_fd);
			if (r >= 0)
				r = store_blob_commit(s, x->blob_name, x->digest);
			if (r >= 0)
				r = store_pin_blob(s, x->digest);
			if (r >= 0 && x->job) {
				r = store_layer_commit(s, x->job->tmpname, p->cfg->diff_ids[x->idx], x->tar_bytes,
						       x->entries);
				if (r >= 0)
					r = store_pin_layer(s, p->cfg->diff_ids[x->idx]);
			}
			if (!x->unpack_after)
				progress_end(prog, x->idx, "done");
		}
		store_unlock(s);
		for (size_t k = 0; k < nx && r >= 0; k++) {
			struct xfer *x = &xs[k];
			if (!x->unpack_after)
				continue;
			r = unpack_stored(s, p, o, x->idx);
			if (r >= 0)
				progress_end(prog, x->idx, "done (resumed)");
		}
	}
out:
	for (size_t k = 0; k < nx; k++) {
		struct xfer *x = &xs[k];
		if (x->h)
			curl_easy_cleanup(x->h);
		/* Still ours (locked): a transfer failure leaves it to be resumed; anything
		 * wrong with its content removes it. */
		if (x->partial && x->blob_fd >= 0 && !x->taken && !(x->keep && r < 0))
			partial_remove(s, x->digest);
		safe_close(x->blob_fd);
		if (x->job && x->job->pid > 0)
			layer_unpack_abort(s, x->job);
		layer_job_free(x->job);
		free(x->pend);
		free(x->www_auth);
	}
	free(xs);
	free(plan);
	return r;
}

static int pull_from(struct store *s, struct image_ref *ref, const struct pull_opts *o, char **ret_id)
{
	struct pulled p = {.ref = ref};
	struct registry_opts ro = {.tls_verify = o->tls_verify, .authfile = o->authfile};
	struct progress *prog = NULL;
	cleanup_free char *name = NULL, *repo = NULL, *d1 = NULL, *d2 = NULL, *id = NULL;
	int r = registry_open(ref->registry, ref->repository, &ro, &p.reg);
	if (r < 0)
		goto out;
	r = fetch_manifest(&p, o);
	if (r < 0)
		goto out;
	if (!o->quiet)
		fprintf(stderr, "Getting image source signatures\n");
	prog = progress_new(p.m->n_layers, o->quiet);
	if (!prog) {
		r = -ENOMEM;
		goto out;
	}
	r = fetch_layers(s, &p, o, prog);
	if (r < 0)
		goto out;
	if (!o->quiet) {
		fprintf(stderr, "Copying config sha256:%.10s done\n", digest_hex(p.m->config.digest));
		fprintf(stderr, "Writing manifest to image destination\n");
	}
	struct layer_ref *layers = calloc(p.m->n_layers + 1, sizeof(*layers));
	if (!layers) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < p.m->n_layers; i++)
		layers[i] = (struct layer_ref){p.cfg->diff_ids[i], p.m->layers[i].digest, p.m->layers[i].media_type,
					       p.m->layers[i].size};
	repo = image_ref_repo(ref);
	name = ref->tag ? image_ref_name(ref) : NULL;
	if (!repo || asprintf(&d1, "%s@%s", repo, p.mdigest) < 0 ||
	    (p.list_digest[0] && asprintf(&d2, "%s@%s", repo, p.list_digest) < 0)) {
		free(layers);
		r = -ENOMEM;
		goto out;
	}
	char *names[2] = {name, NULL}, *digests[3] = {d1, d2, NULL};
	r = image_commit(s, p.mdata, p.mlen, p.m->media_type, p.cdata, p.clen, p.cfg, layers, p.m->n_layers, names,
			 digests, &id);
	free(layers);
	if (r < 0) {
		log_error_errno(r, "Failed to record the image: %m");
		goto out;
	}
	if (ret_id)
		*ret_id = TAKE_PTR(id);
out:
	progress_free(prog);
	p.ref = NULL; /* the caller's */
	pulled_clear(&p);
	return r;
}

int pull_image(struct store *s, const char *name, const struct pull_opts *o, char **ret_id)
{
	const char *why = NULL;
	int r;
	signal(SIGPIPE, SIG_IGN);
	if (image_ref_is_short(name)) {
		struct image_ref *probe = NULL;
		if (image_ref_parse(name, "localhost", &probe, &why) < 0)
			return log_error_errno(-EINVAL, "Invalid image reference '%s': %s", name,
					       why ? why : "malformed");
		image_ref_free(probe);
	}
	/* localhost/NAME: a local image; "pulling" it is looking it up. */
	struct image_ref *ref = NULL;
	if (!image_ref_is_short(name)) {
		r = image_ref_parse(name, NULL, &ref, &why);
		if (r < 0)
			return log_error_errno(r, "Invalid image reference '%s': %s", name, why ? why : "malformed");
		if (image_ref_is_local(ref)) {
			struct image_list l = {0};
			image_ref_free(ref);
			if (store_lock(s, false) < 0)
				return -EIO;
			r = store_images_load(s, &l);
			store_unlock(s);
			if (r < 0)
				return r;
			int i = image_list_find(&l, name);
			if (i < 0) {
				image_list_clear(&l);
				return log_error_errno(
				    -ENOENT, "%s: localhost/ names local images, and there is none by that name", name);
			}
			if (ret_id)
				*ret_id = strdup(l.v[i].id);
			image_list_clear(&l);
			return 0;
		}
		if (!o->quiet) {
			cleanup_free char *full = image_ref_name(ref);
			fprintf(stderr, "Trying to pull %s...\n", full ? full : name);
		}
		r = pull_from(s, ref, o, ret_id);
		image_ref_free(ref);
		return r;
	}
	cleanup_strv char **regs = search_registries();
	if (!regs)
		return -ENOMEM;
	r = -ENOENT;
	for (char **reg = regs; *reg; reg++) {
		r = image_ref_parse(name, *reg, &ref, &why);
		if (r < 0)
			return log_error_errno(r, "Invalid image reference '%s': %s", name, why ? why : "malformed");
		if (!o->quiet) {
			cleanup_free char *full = image_ref_name(ref);
			fprintf(stderr, "Trying to pull %s...\n", full ? full : name);
		}
		r = pull_from(s, ref, o, ret_id);
		image_ref_free(ref);
		if (r >= 0)
			return r;
	}
	return r;
}
