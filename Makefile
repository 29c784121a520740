# kakuri build. `make` builds build/kakuri-runtime; `make test` runs every test;
# `make install PREFIX=DIR` installs under DIR/bin, DIR/libexec/kakuri (kakuri-init) and
# DIR/share/kakuri. `make SAN=1` builds
# with ASan+UBSan into build/san.
VERSION := 0.1.0
COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
PREFIX ?= /usr/local

ifeq ($(SAN),1)
B ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT := -O1 -g
else
B ?= build
SANFLAGS :=
OPT := -O2 -g
endif

CC ?= gcc
PKGS := libseccomp json-c
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lseccomp -ljson-c)
# The engine (kakuri) also needs these; kakuri-runtime never links them, so its start-up
# stays free of libcurl & co.
ENGINE_PKGS := libcurl zlib libzstd
ENGINE_CFLAGS := $(shell pkg-config --cflags $(ENGINE_PKGS) 2>/dev/null)
# libcurl is dlopen()ed on first use (src/engine/image/curl-dl.h), not linked.
ENGINE_LIBS := $(shell pkg-config --libs zlib libzstd 2>/dev/null || echo -lz -lzstd)
WARN := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 -Wvla \
	-Wno-unused-parameter -Wno-missing-field-initializers
ifeq ($(CI),true)
WARN += -Werror
endif
CFLAGS ?= $(OPT)
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) -fstack-protector-strong -D_FORTIFY_SOURCE=3 \
	-fPIE $(SANFLAGS) -Isrc $(PKG_CFLAGS) $(ENGINE_CFLAGS) -DKAKURI_VERSION='"$(VERSION)"' \
	-DKAKURI_COMMIT='"$(COMMIT)"' -DKAKURI_DATADIR='"$(PREFIX)/share/kakuri"' \
	-DKAKURI_LIBEXECDIR='"$(PREFIX)/libexec/kakuri"' -MMD -MP $(CFLAGS)
LDFLAGS_ALL := -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(SANFLAGS) $(LDFLAGS)

LIB_SRC := $(sort $(wildcard src/lib/*.c src/oci/*.c src/runtime/*.c))
RT_CLI_SRC := $(sort $(wildcard src/cli/runtime/*.c))
ENGINE_SRC := $(sort $(wildcard src/engine/*.c src/engine/*/*.c))
ENGINE_CLI_SRC := $(sort $(wildcard src/cli/engine/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test-*.c))
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
RT_CLI_OBJ := $(RT_CLI_SRC:%.c=$(B)/%.o)
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(B)/%.o)
ENGINE_CLI_OBJ := $(ENGINE_CLI_SRC:%.c=$(B)/%.o)
BINS := $(B)/kakuri-runtime $(if $(ENGINE_CLI_SRC),$(B)/kakuri)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(B)/helpers/%)
# `run --init`'s pid 1: standalone and static, it runs inside any image.
INIT_BIN := $(B)/kakuri-init

.PHONY: all clean install test unit san check-format
all: $(BINS) $(INIT_BIN) $(UNIT_BIN) $(HELPER_BIN)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The default seccomp profile is embedded with .incbin (src/oci/seccomp-default.c).
$(B)/src/oci/seccomp-default.o: data/seccomp/default.json

$(B)/libkakuri.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/kakuri-runtime: $(RT_CLI_OBJ) $(B)/libkakuri.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(RT_CLI_OBJ) $(B)/libkakuri.a $(PKG_LIBS)

$(B)/libkakuri-engine.a: $(ENGINE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/kakuri: $(ENGINE_CLI_OBJ) $(B)/libkakuri-engine.a $(B)/libkakuri.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(ENGINE_CLI_OBJ) $(B)/libkakuri-engine.a $(B)/libkakuri.a $(ENGINE_LIBS) $(PKG_LIBS)

# Unit-test binaries live alone in $(B)/tests (run.sh runs every file there); their
# dependency files go to $(B)/deps.
$(B)/tests/%: tests/unit/%.c tests/unit/tap.h $(B)/libkakuri-engine.a $(B)/libkakuri.a
	@mkdir -p $(dir $@) $(B)/deps
	$(CC) $(ALL_CFLAGS) -MF $(B)/deps/$*.d -Itests/unit $(LDFLAGS_ALL) -o $@ $< $(B)/libkakuri-engine.a \
		$(B)/libkakuri.a $(ENGINE_LIBS) $(PKG_LIBS)

# Static test programs that run inside containers (no libc from the image needed).
$(B)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE -O2 -static -o $@ $< -lpthread

$(INIT_BIN): src/init/kakuri-init.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -static -o $@ $<

unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do $$t || exit 1; done

install: $(BINS) $(INIT_BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/libexec/kakuri
	install -m 0755 $(INIT_BIN) $(DESTDIR)$(PREFIX)/libexec/kakuri/kakuri-init
	install -d $(DESTDIR)$(PREFIX)/share/kakuri/seccomp
	install -m 0644 data/seccomp/default.json $(DESTDIR)$(PREFIX)/share/kakuri/seccomp/default.json

test:
	tests/run.sh

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(RT_CLI_OBJ:.o=.d) $(ENGINE_OBJ:.o=.d) $(ENGINE_CLI_OBJ:.o=.d) $(wildcard $(B)/deps/*.d)
