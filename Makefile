# postern — top-level build.
#
#   make            build everything into build/
#   make test       install missing packages, build, run every test
#   make asan       unit tests under AddressSanitizer + UBSan
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (default 30)
#   make bench      benchmarks, figures beside anchors measured in the same run
#   make demo       a broker, a local agent and a shell session on it
#   make clean      remove build/
#
# Knobs: CC, CFLAGS, OPT, V=1 (show commands), FUZZ_SECONDS, FUZZ_CC,
#        BENCH_PORT_ARGS (e.g. --perf: profile the port-forwarding benchmark).

CC      ?= cc
FUZZ_CC ?= clang
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror=implicit-function-declaration
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS ?= 30
BENCH_PORT_ARGS ?=

BUILD := build
GEN   := $(BUILD)/gen

ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---- dependencies ------------------------------------------------------------
PROTO_PKGS := libssl libcrypto jansson libprotobuf-c
APP_PKGS   := libwebsockets openssl jansson libprotobuf-c sqlite3
TEST_PKGS  := criterion

pkg_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkg_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

PROTO_CFLAGS := $(call pkg_cflags,$(PROTO_PKGS))
PROTO_LIBS   := $(call pkg_libs,$(PROTO_PKGS))
APP_CFLAGS   := $(call pkg_cflags,$(APP_PKGS))
APP_LIBS     := $(call pkg_libs,$(APP_PKGS))
TEST_CFLAGS  := $(call pkg_cflags,$(TEST_PKGS))
TEST_LIBS    := $(call pkg_libs,$(TEST_PKGS))

VERSION := 0.1.0
ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) $(CFLAGS) -MMD -MP -Iproto -I$(GEN) $(APP_CFLAGS) \
	     -DPOSTERN_VERSION='"$(VERSION)"'

# ---- sources -----------------------------------------------------------------
# proto/ is a library only. Each program directory is a library of everything
# but its main.c (so unit tests can link any module) plus that main.c.
PROTO_SRC   := $(wildcard proto/*.c)
PROTO_GEN   := $(GEN)/control.pb-c.c
UNIT_SRC    := $(wildcard tests/unit/*.c)
FUZZ_SRC    := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC   := $(wildcard tests/bench/bench_*.c)
BENCH_TOOLS := $(BUILD)/bench/tls_floor

PROTO_OBJ := $(PROTO_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/control.pb-c.o
PROTO_LIB := $(BUILD)/lib/libpostern-proto.a

# $(1) directory, $(2) variable prefix, $(3) program name
define program
$(2)_SRC  := $$(filter-out $(1)/main.c,$$(wildcard $(1)/*.c))
$(2)_OBJ  := $$($(2)_SRC:%.c=$$(BUILD)/obj/%.o)
$(2)_LIB  := $$(if $$($(2)_SRC),$$(BUILD)/lib/libpostern-$(3).a)
$(2)_BIN  := $$(if $$(wildcard $(1)/main.c),$$(BUILD)/bin/$(3))
endef
$(eval $(call program,broker,BROKER,postern-broker))
$(eval $(call program,agent-side,AGENT,postern-agent))
$(eval $(call program,plugin,PLUGIN,postern))

APP_LIBS_A := $(BROKER_LIB) $(AGENT_LIB) $(PLUGIN_LIB)
APP_OBJ    := $(BROKER_OBJ) $(AGENT_OBJ) $(PLUGIN_OBJ)
BINS       := $(BROKER_BIN) $(AGENT_BIN) $(PLUGIN_BIN) \
	      $(if $(PLUGIN_BIN),$(BUILD)/bin/session-manager-plugin)

UNIT_BIN       := $(BUILD)/tests/unit-tests
UNIT_OBJ       := $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_PROTO_OBJ := $(PROTO_OBJ:$(BUILD)/obj/%=$(BUILD)/asan/%)
ASAN_APP_OBJ   := $(APP_OBJ:$(BUILD)/obj/%=$(BUILD)/asan/%)
ASAN_UNIT_OBJ  := $(UNIT_SRC:%.c=$(BUILD)/asan/%.o)
ASAN_UNIT_BIN  := $(BUILD)/asan/unit-tests
FUZZ_PAYLOADS  := ack size channel_closed session_state open_data_channel \
		  handshake_request handshake_response handshake_complete \
		  enc_challenge exit_code flag base64
FUZZ_BINS      := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%) \
		  $(FUZZ_PAYLOADS:%=$(BUILD)/fuzz/fuzz_payload_%)
BENCH_BINS     := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps test unit e2e asan fuzz bench demo clean
.SUFFIXES:

all: deps $(PROTO_LIB) $(BINS) $(UNIT_BIN)

deps:
	$(Q)scripts/install-deps.sh

# ---- generated code ----------------------------------------------------------
$(GEN)/control.pb-c.c $(GEN)/control.pb-c.h: proto/control.proto
	@mkdir -p $(GEN)
	@echo "  PROTOC  $<"
	$(Q)protoc-c --proto_path=proto --c_out=$(GEN) $<

# Anything may include the generated header: generate it before compiling
# (after the first build, -MMD records the real dependency).
$(PROTO_SRC:%.c=$(BUILD)/obj/%.o) $(PROTO_SRC:%.c=$(BUILD)/asan/%.o) \
$(APP_OBJ) $(ASAN_APP_OBJ) $(UNIT_OBJ) $(ASAN_UNIT_OBJ): | $(GEN)/control.pb-c.h

# ---- normal objects ----------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/gen/%.o: $(GEN)/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CSTD) $(OPT) $(CFLAGS) -I$(GEN) $(PROTO_CFLAGS) -c $< -o $@

$(PROTO_LIB): $(PROTO_OBJ)
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/lib/libpostern-%.a:
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BROKER_LIB): $(BROKER_OBJ)
$(AGENT_LIB): $(AGENT_OBJ)
$(PLUGIN_LIB): $(PLUGIN_OBJ)

# $(1) binary, $(2) its main object, $(3) its library
define link_program
$(1): $(2) $(3) $$(PROTO_LIB)
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(OPT) -o $$@ $$^ $$(APP_LIBS)
endef
$(if $(BROKER_BIN),$(eval $(call link_program,$(BROKER_BIN),$(BUILD)/obj/broker/main.o,$(BROKER_LIB))))
$(if $(AGENT_BIN),$(eval $(call link_program,$(AGENT_BIN),$(BUILD)/obj/agent-side/main.o,$(AGENT_LIB))))
$(if $(PLUGIN_BIN),$(eval $(call link_program,$(PLUGIN_BIN),$(BUILD)/obj/plugin/main.o,$(PLUGIN_LIB))))

# The AWS CLI runs the client under this name (same binary).
$(BUILD)/bin/session-manager-plugin: $(PLUGIN_BIN)
	$(Q)ln -sf postern $@

$(BUILD)/obj/tests/%.o: ALL_CFLAGS += $(TEST_CFLAGS)

$(UNIT_BIN): $(UNIT_OBJ) $(APP_LIBS_A) $(PROTO_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(OPT) -o $@ $(UNIT_OBJ) $(APP_LIBS_A) $(PROTO_LIB) $(APP_LIBS) $(TEST_LIBS)

# ---- sanitizer build ---------------------------------------------------------
$(BUILD)/asan/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC/SAN  $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) $(SAN) -c $< -o $@

$(BUILD)/asan/gen/%.o: $(GEN)/%.c
	@mkdir -p $(@D)
	@echo "  CC/SAN  $<"
	$(Q)$(CC) $(CSTD) $(OPT) -I$(GEN) $(PROTO_CFLAGS) $(SAN) -c $< -o $@

$(ASAN_UNIT_BIN): $(ASAN_UNIT_OBJ) $(ASAN_APP_OBJ) $(ASAN_PROTO_OBJ)
	@mkdir -p $(@D)
	@echo "  LD/SAN  $@"
	$(Q)$(CC) $(OPT) $(SAN) -o $@ $^ $(APP_LIBS) $(TEST_LIBS)

# ---- fuzzing (clang + libFuzzer) ---------------------------------------------
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1

FUZZ_DEPS  := $(PROTO_SRC) $(wildcard proto/*.h) $(PROTO_GEN) tests/fuzz/fuzz_common.h
FUZZ_LINK   = $(FUZZ_CC) $(CSTD) $(FUZZ_FLAGS) -Iproto -I$(GEN) $(PROTO_CFLAGS) -o $@

# One binary per payload parser, from one source (shortest stem wins in make).
$(BUILD)/fuzz/fuzz_payload_%: tests/fuzz/payload_targets.c $(FUZZ_DEPS)
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_LINK) -DPAYLOAD_TARGET=$* $< $(PROTO_SRC) $(PROTO_GEN) $(PROTO_LIBS)

# The CSR parser is broker code: link its two pure in-memory files.
$(BUILD)/fuzz/fuzz_csr: tests/fuzz/fuzz_csr.c broker/pki_csr.c broker/pki_err.c broker/pki.h \
			broker/pki_impl.h tests/fuzz/fuzz_common.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_LINK) $< broker/pki_csr.c broker/pki_err.c $(PROTO_LIBS)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_DEPS)
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_LINK) $< $(PROTO_SRC) $(PROTO_GEN) $(PROTO_LIBS)

# ---- benchmarks --------------------------------------------------------------
$(BUILD)/bench/%: tests/bench/%.c $(PROTO_LIB)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CSTD) $(WARN) -O2 -g -Iproto -I$(GEN) $(PROTO_CFLAGS) -o $@ $< $(PROTO_LIB) $(PROTO_LIBS)

# A bare TLS client: the memory anchor the agent's RSS is compared with.
$(BUILD)/bench/tls_floor: tests/bench/tls_floor.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CSTD) $(WARN) -O2 -g -o $@ $< $(call pkg_libs,openssl)

# ---- entry points ------------------------------------------------------------
test: deps unit e2e asan

unit: $(UNIT_BIN)
	@echo "== unit tests"
	$(Q)$(UNIT_BIN) --jobs 2

asan: deps $(ASAN_UNIT_BIN)
	@echo "== unit tests under AddressSanitizer + UBSan"
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$(ASAN_UNIT_BIN) --jobs 2

e2e: all
	@echo "== end-to-end tests"
	$(Q)scripts/run-e2e.sh

fuzz: deps $(FUZZ_BINS)
	$(Q)scripts/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

bench: deps all $(BENCH_BINS) $(BENCH_TOOLS)
	$(Q)for b in $(BENCH_BINS); do $$b || exit 1; done
	$(Q)/usr/bin/python3 tests/bench/bench_session.py
	$(Q)/usr/bin/python3 tests/bench/bench_port.py $(BENCH_PORT_ARGS)

demo: all
	$(Q)scripts/demo.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
