# mapdiag - a plain Makefile.  `make` builds ./mapdiag; `make check` sets up
# the machine (scripts/setup.sh), builds every Go test target and runs every
# test; `make demo` runs mapdiag against a bundled demo service.

CC       ?= gcc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wno-missing-field-initializers
CPPFLAGS += -D_GNU_SOURCE $(TEST_HOOKS)
LDLIBS   += -ldwarf -lelf -ldeflate -lz -pthread -lunwind-ptrace -lunwind-generic -lunwind

BUILD    ?= build
FUZZ_BUILD := build/fuzz
BIN      ?= mapdiag
VERSION  := 0.1.0

# Layers, lowest first.  A folder's code sees its own headers and those of
# the folders listed for it, and nothing else: the include path is the
# dependency declaration (libdwfl's Makefile.am does the same), so an
# upward include fails to compile (tests/layers.sh shows it).  Only dwarf/
# sees libdwarf's headers.
LAYERS := base dwarf goruntime target report snapshot writers attach scan watch ps cmd
DEPS_base      :=
DEPS_dwarf     := base
DEPS_goruntime := base dwarf
DEPS_target    := base dwarf
DEPS_report    := base dwarf goruntime
DEPS_snapshot  := base dwarf goruntime target
DEPS_writers   := base dwarf goruntime target report
DEPS_attach    := base dwarf goruntime target report snapshot writers
DEPS_scan      := base dwarf goruntime target report snapshot writers
DEPS_watch     := base dwarf goruntime target report snapshot
DEPS_ps        := base dwarf goruntime target report
DEPS_cmd       := base dwarf goruntime target report attach scan watch ps
layer_dir = $(if $(filter dwarf cmd,$1),$1,src/$1)
layer_inc = $(foreach d,$1 $(DEPS_$1),-I$(call layer_dir,$d)) \
            $(if $(filter dwarf,$1),-I/usr/include/libdwarf)
# tests and fuzz harnesses look at every layer
ALL_INC  := $(foreach d,$(LAYERS),-I$(call layer_dir,$d)) -I/usr/include/libdwarf

LIB_SRCS := $(foreach l,$(filter-out cmd,$(LAYERS)),$(wildcard $(call layer_dir,$l)/*.c))
CMD_SRCS := $(wildcard cmd/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all clean check demo setup targets unit san bench fuzz fuzz-build fuzz-check layer-flags hooks
.PHONY: install uninstall
all: $(BIN)

$(BIN): $(CMD_OBJS) $(BUILD)/libmapdiag.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libmapdiag.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(foreach l,$(LAYERS),$(eval $(BUILD)/$(call layer_dir,$l)/%.o: LAYER_INC := $(call layer_inc,$l)))
$(foreach l,$(LAYERS),$(eval $(FUZZ_BUILD)/$(call layer_dir,$l)/%.o: LAYER_INC := $(call layer_inc,$l)))

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(LAYER_INC) -DMD_VERSION='"$(VERSION)"' $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/libmapdiag.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_INC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libmapdiag.a $(LDLIBS)

# The include flags of layer L, for tests/layers.sh.
layer-flags:
	@echo $(CPPFLAGS) $(call layer_inc,$(L))

unit: $(UNIT_BINS)

# mapdiag with the stop points of src/base/testhook.h compiled in, for
# tests/integration/test_safety.py (pid reuse); the production binary has
# none.
hooks:
	@$(MAKE) --no-print-directory BUILD=build/hooks BIN=build/hooks/mapdiag \
		TEST_HOOKS=-DMD_TEST_HOOKS build/hooks/mapdiag

# Unit tests under ASan+UBSan and a sanitized mapdiag (tests/run.sh runs
# them too).
san:
	@$(MAKE) --no-print-directory BUILD=build/san BIN=build/san/mapdiag \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" build/san/mapdiag unit

# libFuzzer harnesses (tests/fuzz/, see DEVELOPERS.md): the library built
# again with clang, ASan+UBSan and fuzzer coverage into build/fuzz/.
# `make fuzz` runs each harness FUZZ_TIME seconds (default 300) on its
# corpus; `make fuzz-check` (a step of tests/run.sh) runs each for a bounded
# time.  FUZZERS=fuzz_expr limits either to some harnesses.
FUZZ_CC    ?= clang
FUZZ_SAN   := -fsanitize=address,undefined,float-divide-by-zero -fno-sanitize-recover=all
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -std=gnu11 $(FUZZ_SAN)
FUZZERS    ?= fuzz_dwarf fuzz_expr fuzz_decode fuzz_walk fuzz_plan fuzz_stack fuzz_core
FUZZ_TIME  ?= 300
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(LAYER_INC) -DMD_VERSION='"$(VERSION)"' $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/libmapdiag.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(FUZZ_BUILD)/libmapdiag.a
	$(FUZZ_CC) $(CPPFLAGS) $(ALL_INC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libmapdiag.a $(LDLIBS)

$(FUZZ_BUILD)/seeds/mini: tests/fuzz/seed/mini.S tests/fuzz/mkseeds.sh
	@bash tests/fuzz/mkseeds.sh $(FUZZ_BUILD)/seeds

fuzz-build: $(FUZZERS:%=$(FUZZ_BUILD)/%) $(FUZZ_BUILD)/seeds/mini

fuzz: fuzz-build
	@FUZZ_TIME=$(FUZZ_TIME) bash tests/fuzz/run.sh long $(FUZZERS)

fuzz-check: fuzz-build
	@bash tests/fuzz/run.sh check $(FUZZERS)

setup:
	@bash scripts/setup.sh

targets: setup
	@bash tests/build-targets.sh

check: setup
	@$(MAKE) --no-print-directory mapdiag unit hooks
	@bash tests/build-targets.sh
	@bash tests/run.sh

demo: setup
	@$(MAKE) --no-print-directory mapdiag
	@bash scripts/demo.sh

clean:
	rm -rf $(BUILD) mapdiag testdata/bin tests/out

# `make install PREFIX=/usr/local DESTDIR=...`: the binary, mapdiag(1), bash
# and zsh completion (debian/rules installs through it too).  Builds
# nothing but the binary.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
INSTALL     ?= install

install: $(BIN)
	$(INSTALL) -D -m 755 $(BIN) $(DESTDIR)$(BINDIR)/mapdiag
	$(INSTALL) -D -m 644 doc/mapdiag.1 $(DESTDIR)$(MANDIR)/man1/mapdiag.1
	$(INSTALL) -D -m 644 completion/mapdiag.bash $(DESTDIR)$(BASHCOMPDIR)/mapdiag
	$(INSTALL) -D -m 644 completion/_mapdiag $(DESTDIR)$(ZSHCOMPDIR)/_mapdiag

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mapdiag $(DESTDIR)$(MANDIR)/man1/mapdiag.1 \
		$(DESTDIR)$(BASHCOMPDIR)/mapdiag $(DESTDIR)$(ZSHCOMPDIR)/_mapdiag

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(FUZZ_LIB_OBJS:.o=.d)
