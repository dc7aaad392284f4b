# mapdiag - a plain Makefile.  `make` builds ./mapdiag; `make check` sets up
# the machine (scripts/setup.sh), builds every Go test target and runs every
# test; `make demo` runs mapdiag against a bundled demo service.

CC       ?= gcc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wno-missing-field-initializers
CPPFLAGS += -D_GNU_SOURCE -I. -Isrc -Idwarf -I/usr/include/libdwarf
LDLIBS   += -ldwarf -lelf -ldeflate -lz -pthread -lunwind-ptrace -lunwind-generic -lunwind

BUILD    ?= build
BIN      ?= mapdiag
VERSION  := 0.1.0

LIB_SRCS := $(wildcard src/*.c) $(wildcard dwarf/*.c)
CMD_SRCS := $(wildcard cmd/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all clean check demo setup targets unit san bench fuzz fuzz-build fuzz-check
all: $(BIN)

$(BIN): $(CMD_OBJS) $(BUILD)/libmapdiag.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libmapdiag.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DMD_VERSION='"$(VERSION)"' $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/md_test.h $(BUILD)/libmapdiag.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libmapdiag.a $(LDLIBS)

unit: $(UNIT_BINS)

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
FUZZ_BUILD := build/fuzz
FUZZ_SAN   := -fsanitize=address,undefined,float-divide-by-zero -fno-sanitize-recover=all
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -std=gnu11 $(FUZZ_SAN)
FUZZERS    ?= fuzz_dwarf fuzz_expr fuzz_decode fuzz_walk
FUZZ_TIME  ?= 300
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o)

$(FUZZ_BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -DMD_VERSION='"$(VERSION)"' $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/dwarf/%.o: dwarf/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/libmapdiag.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(FUZZ_BUILD)/libmapdiag.a
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libmapdiag.a $(LDLIBS)

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
	@$(MAKE) --no-print-directory mapdiag unit
	@bash tests/build-targets.sh
	@bash tests/run.sh

demo: setup
	@$(MAKE) --no-print-directory mapdiag
	@bash scripts/demo.sh

clean:
	rm -rf $(BUILD) mapdiag testdata/bin tests/out

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(FUZZ_LIB_OBJS:.o=.d)
