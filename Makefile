# gkeid - build, run, test and benchmark. See README.md.
#   make        build/gkeid (strict warnings are errors)
#   make run    build, then start `gkeid up` on the embedded default
#   make test   the whole suite: ASan+UBSan build, unit tests, end-to-end tests
#   make check  the edit-test loop: unit tests and one quick end-to-end file per area
#   make bench  benchmarks; figures go in BENCHMARKS.md
PKGS := libevent libevent_openssl libevent_pthreads openssl jansson sqlite3 yaml-0.1 libcurl
CC ?= cc
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
# Recursive (=) so pkg-config runs after scripts/deps.sh has installed what is missing.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
# -MMD -MP: each object's header dependencies in a .d file beside it (included below), so
# that a header change rebuilds only what includes it.
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -Isrc $(PKG_CFLAGS) -MMD -MP
OPT ?= -O2
# The release build has full debug information; the sanitizer build (what make test
# runs) line tables and inlined frames only (-g1: every ASan and UBSan report names its
# files, lines and inlined functions as with -g; gdb sees no local variables), which
# compiles in three quarters of the time. `make ASAN_DEBUG=-g` for gdb on it.
REL_DEBUG ?= -g
ASAN_DEBUG ?= -g1
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRCS := $(sort $(wildcard src/*/*.c))
LIB_SRCS := $(filter-out src/cli/main.c,$(SRCS))
ASM := src/core/embed.S
DATA := $(wildcard data/*)

# The role catalogue that embed.S compiles in. Google's full catalogue (about 2,500
# roles) is build/data/roles.cat, compiled by scripts/gen-roles.py from a checkout of
# the public iann0036/iam-dataset repository when there is one at IAM_DATASET (by
# default iam-dataset/ in the shared/ folder beside this repository); without one, the
# small data/roles.json (24 roles). See data/README. build/catalog-choice names the one
# built in, so that a change of choice rebuilds embed.o and the tests can tell.
.DEFAULT_GOAL := all
# Builds use every core unless -j was given (`make test` and `make run` are what CI and
# users type, without -j).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc)
endif
IAM_DATASET ?= $(patsubst %/gcp/roles,%,$(firstword $(wildcard ../shared/iam-dataset/gcp/roles ../../shared/iam-dataset/gcp/roles)))
ifneq ($(strip $(IAM_DATASET)),)
ROLES_CATALOG := build/data/roles.cat
build/data/roles.cat: scripts/gen-roles.py $(wildcard $(IAM_DATASET)/gcp/roles/*.json)
	@mkdir -p $(dir $@)
	python3 scripts/gen-roles.py $(IAM_DATASET) $@
else
ROLES_CATALOG := data/roles.json
endif
$(shell mkdir -p build && { echo '$(ROLES_CATALOG)' | cmp -s - build/catalog-choice || echo '$(ROLES_CATALOG)' >build/catalog-choice; })
UNIT_SRCS := $(sort $(wildcard tests/unit/*/test_*.c))


.PHONY: all run test check bench deps fuzz-deps clean unit e2e asan fmt fuzz fuzz-build check-layers
all: build/gkeid

deps:
	@pkg-config --exists $(PKGS) 2>/dev/null && command -v curl >/dev/null && command -v sqlite3 >/dev/null && [ -d /usr/lib/python3/dist-packages/kubernetes ] || sh scripts/deps.sh
# clang and libFuzzer, for the fuzz build only.
fuzz-deps: deps
	@command -v clang >/dev/null && ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || sh scripts/deps.sh fuzz

# One object tree per variant: build/rel (release) and build/asan (sanitizers).
# Quiet by default (one line a file); `make V=1` shows the commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif
build/rel/obj/%.o: src/%.c build/rel/obj/%.d | deps
	@mkdir -p $(dir $@)
	@[ -n "$(Q)" ] && echo "  CC      $<" || true
	$(Q)$(CC) $(BASE_CFLAGS) $(REL_DEBUG) $(OPT) -c $< -o $@
build/asan/obj/%.o: src/%.c build/asan/obj/%.d | deps
	@mkdir -p $(dir $@)
	@[ -n "$(Q)" ] && echo "  CC asan $<" || true
	$(Q)$(CC) $(BASE_CFLAGS) $(ASAN_DEBUG) -O1 $(SAN) -c $< -o $@
build/rel/obj/embed.o build/asan/obj/embed.o: $(ASM) $(DATA) $(ROLES_CATALOG) build/catalog-choice
	@mkdir -p $(dir $@)
	$(CC) -DROLES_CATALOG='"$(ROLES_CATALOG)"' -c $(ASM) -o $@

REL_LIB = $(patsubst src/%.c,build/rel/obj/%.o,$(LIB_SRCS)) build/rel/obj/embed.o
ASAN_LIB = $(patsubst src/%.c,build/asan/obj/%.o,$(LIB_SRCS)) build/asan/obj/embed.o

build/gkeid: $(REL_LIB) build/rel/obj/cli/main.o
	@[ -n "$(Q)" ] && echo "  LD      $@" || true
	$(Q)$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) -lm
build/asan/gkeid: $(ASAN_LIB) build/asan/obj/cli/main.o
	@[ -n "$(Q)" ] && echo "  LD      $@" || true
	$(Q)$(CC) $(SAN) -o $@ $^ $(PKG_LIBS) -lm
asan: build/asan/gkeid

# The libFuzzer targets of fuzz/ (see the fuzz section below; defined here, before the
# rules that name them as prerequisites).
FUZZ_TARGETS := jwt state route kube_path selectors patch iam_policy protobuf metadata_path cel apply deny mdh1
FUZZ_BINS := $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_TARGETS))
REPLAY_BINS := $(patsubst %,build/asan/fuzz/replay_%,$(FUZZ_TARGETS))

# Unit tests: one binary per tests/unit/<module>/test_<name>.c, linked with the library.
UNIT_BINS = $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRCS))
# The library as an archive, so that each test links only the objects it uses (a third of
# the link time of all of them, and a binary a fraction of the size).
build/asan/libgkeid.a: $(ASAN_LIB)
	$(Q)rm -f $@ && ar rcs $@ $^
build/asan/tests/%: tests/unit/%.c tests/unit/t.h build/asan/libgkeid.a
	@mkdir -p $(dir $@)
	@[ -n "$(Q)" ] && echo "  LD      $@" || true
	$(Q)$(CC) $(BASE_CFLAGS) $(ASAN_DEBUG) -Itests/unit -O1 $(SAN) -o $@ $< build/asan/libgkeid.a $(PKG_LIBS) -lm

run: build/gkeid
	./build/gkeid up

# The Node test clients, from the committed lock file (installed beside the build, which
# it does not wait for: npm mostly waits on the registry).
NODE_MODULES := tests/node/node_modules/.package-lock.json
$(NODE_MODULES): tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund --loglevel=error

# The whole suite.
test: check-layers build/gkeid build/asan/gkeid $(UNIT_BINS) $(REPLAY_BINS) $(NODE_MODULES)
	@bash tests/run.sh $(UNIT_BINS)

# The edit-test loop (under 2 minutes): every unit test and one quick end-to-end file
# per area: the Google APIs (scopes, refresh tokens), the cluster's API server, the
# metadata server's token flow, the doctor, a fault. Every file starts `gkeid up`. CI
# runs `make test`.
CHECK_E2E := tests/e2e/test_security_tokens.sh|tests/e2e/test_kube_cluster_ca.sh|tests/e2e/test_metadata_propagation.sh|tests/scenarios/iam_propagation.sh|tests/scenarios/startup_timeout.sh
# Only the unit tests, or only the end-to-end files (gcloud, kubectl, curl, ...).
unit: $(UNIT_BINS)
	@TEST_FILTER='^build/asan/tests/' bash tests/run.sh $(UNIT_BINS)
e2e: build/asan/gkeid
	@TEST_FILTER='^tests/' bash tests/run.sh

check: check-layers build/asan/gkeid $(UNIT_BINS)
	@TEST_FILTER='^build/asan/tests/|^($(CHECK_E2E))$$' bash tests/run.sh $(UNIT_BINS)

# Includes follow the layers of src/README.md.
check-layers:
	@sh scripts/check-layers.sh

BENCH_BINS = $(patsubst bench/%.c,build/rel/bench/%,$(wildcard bench/*.c))
build/rel/bench/%: bench/%.c $(REL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(REL_DEBUG) $(OPT) -o $@ $< $(REL_LIB) $(PKG_LIBS) -lm
# The reference of the catalogue's cost in `make bench`: the same gkeid with the small
# data/roles.json built in (bench/run.sh compares their start-up and RSS).
build/rel/obj/embed-small.o: $(ASM) $(DATA)
	@mkdir -p $(dir $@)
	$(CC) -DROLES_CATALOG='"data/roles.json"' -c $(ASM) -o $@
build/gkeid-small: $(filter-out build/rel/obj/embed.o,$(REL_LIB)) build/rel/obj/embed-small.o build/rel/obj/cli/main.o
	$(Q)$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) -lm
bench: build/gkeid build/gkeid-small $(BENCH_BINS)
	@sh scripts/deps.sh bench
	@sh bench/run.sh $(BENCH_BINS)

fmt:
	clang-format -i src/*/*.c src/*/*.h tests/unit/*/*.c bench/*.c

clean:
	rm -rf build

# libFuzzer targets (clang). The library is compiled once for fuzzing into an archive,
# so each target links only what it uses. `make fuzz` runs each for FUZZ_SECONDS;
# `make fuzz-build` only builds them. make test does not mutate: it replays each seed
# corpus through the same target built with gcc's ASan and UBSan against the library the
# unit tests link (fuzz/replay.c in place of libFuzzer), tests/fuzz/test_fuzz_corpus.sh.
FUZZ_SECONDS ?= 20
build/asan/fuzz/replay_%: fuzz/fuzz_%.c fuzz/replay.c build/asan/libgkeid.a
	@mkdir -p $(dir $@)
	@[ -n "$(Q)" ] && echo "  LD      $@" || true
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(ASAN_DEBUG) -O1 -Wall -Werror -Isrc $(PKG_CFLAGS) $(SAN) -o $@ $< fuzz/replay.c build/asan/libgkeid.a $(PKG_LIBS) -lm
FUZZ_BASE = -std=c11 -D_GNU_SOURCE -g -O1 -Isrc $(PKG_CFLAGS) -MMD -MP
# The targets fuzz the layers below the node and the node's request parsers; the rest
# (node, doctor, up, cli) is not compiled for fuzzing (a target that needs it fails to link).
FUZZ_SRCS := $(filter src/core/% src/iam/% src/cloud/% src/kube/% src/node/mdh1.c src/node/mdpath.c,$(LIB_SRCS))
FUZZ_OBJS = $(patsubst src/%.c,build/fuzz/obj/%.o,$(FUZZ_SRCS)) build/fuzz/obj/embed.o
build/fuzz/obj/%.o: src/%.c build/fuzz/obj/%.d | fuzz-deps
	@mkdir -p $(dir $@)
	@[ -n "$(Q)" ] && echo "  CC fuzz $<" || true
	$(Q)clang $(FUZZ_BASE) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@
build/fuzz/obj/embed.o: $(ASM) $(DATA) | fuzz-deps
	@mkdir -p $(dir $@)
	$(Q)clang -c $(ASM) -o $@
build/fuzz/libgkeid.a: $(FUZZ_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
build/fuzz/fuzz_%: fuzz/fuzz_%.c build/fuzz/libgkeid.a
	@[ -n "$(Q)" ] && echo "  LD      $@" || true
	$(Q)clang $(FUZZ_BASE) -fsanitize=fuzzer,address,undefined -o $@ $< build/fuzz/libgkeid.a $(PKG_LIBS) -lm
fuzz-build: $(FUZZ_BINS)
fuzz: fuzz-build
	for t in $(FUZZ_TARGETS); do \
		mkdir -p build/fuzz/corpus-$$t && \
		build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-$$t fuzz/corpus/$$t || exit 1; \
	done

# The header dependencies the compiler wrote (-MMD). An object whose .d is missing (one
# built before there were .d files) is rebuilt: the empty rule makes a missing .d count
# as new.
OBJ_DEPS = $(patsubst src/%.c,build/rel/obj/%.d,$(SRCS)) $(patsubst src/%.c,build/asan/obj/%.d,$(SRCS)) \
	$(patsubst src/%.c,build/fuzz/obj/%.d,$(FUZZ_SRCS))
$(OBJ_DEPS):
-include $(wildcard build/*/obj/*/*.d build/asan/tests/*/*.d build/rel/bench/*.d build/fuzz/*.d)
