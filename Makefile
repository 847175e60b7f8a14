# nnscratch — build everything with GNU make and g++ (C++20). `make help` lists the targets.
#
# Layout of the build: build/src/...o -> build/libnn.a; build/tests/run_tests;
# build/tutorials/<name>; build/bench/<name>. Every object has a .d dependency file, so
# editing a header rebuilds exactly what includes it, and `make -j2` is safe.

SHELL      := /bin/bash
BUILD      ?= build
OPT        ?= -O3
CXX        ?= g++
# -fno-math-errno: std::sqrt need not set errno, so loops with it vectorise (Adam).
CXXFLAGS   := -std=c++20 $(OPT) -fno-math-errno -Wall -Wextra -pthread -MMD -MP -Isrc $(EXTRA_CXXFLAGS)
LDFLAGS    := -pthread $(EXTRA_LDFLAGS)
ARCH       := $(shell uname -m)

LIB        := $(BUILD)/libnn.a
LIB_SRCS   := $(sort $(shell find src -name '*.cpp'))
LIB_OBJS   := $(LIB_SRCS:%.cpp=$(BUILD)/%.o)

TEST_SRCS  := $(sort $(wildcard tests/*.cpp))
TEST_OBJS  := $(TEST_SRCS:%.cpp=$(BUILD)/%.o)
TEST_BIN   := $(BUILD)/tests/run_tests

TUT_SRCS   := $(sort $(wildcard tutorials/[0-9][0-9]_*.cpp))
TUT_BINS   := $(TUT_SRCS:tutorials/%.cpp=$(BUILD)/tutorials/%)

# Exercises: each check program is built twice — against the student's file in
# tutorials/exercises/ and against the reference in tutorials/exercises/solutions/.
EX_CHECKS  := $(sort $(wildcard tutorials/exercises/checks/*_check.cpp))
EX_NAMES   := $(EX_CHECKS:tutorials/exercises/checks/%_check.cpp=%)
EX_BINS    := $(EX_NAMES:%=$(BUILD)/exercises/%_check)
EX_SOLVED  := $(EX_NAMES:%=$(BUILD)/exercises/solutions/%_check)
# ... and against every planted bug: checks/planted/<N_name>/<bug>.bug says which lines of
# solutions/<N_name>.h to change, tests/tools/plant_bug.cpp makes that solution with the one
# mistake (build/exercises/planted_src/<bug>/<N_name>.h), and its checks must catch and name
# it (tests/run_exercises.sh).
EX_PLANTED_SPECS := $(sort $(wildcard tutorials/exercises/checks/planted/*/*.bug))
planted_bug = $(basename $(notdir $(1)))
planted_exercise = $(notdir $(patsubst %/,%,$(dir $(1))))
EX_PLANTED := $(foreach f,$(EX_PLANTED_SPECS),$(BUILD)/exercises/planted/$(call planted_bug,$(f)))
PLANT_BUG := $(BUILD)/tools/plant_bug

BENCH_SRCS := $(sort $(wildcard tests/bench/*.cpp))
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.cpp=$(BUILD)/bench/%)

# SIMD micro-kernels are the only files compiled for a specific instruction set; the
# library picks one at run time (src/kernels/cpu.cpp), so the default build still runs on
# a CPU without AVX-512. Off x86 these files compile to nothing.
ifeq ($(ARCH),x86_64)
$(BUILD)/src/kernels/ukernel_avx512_%.o: ISA_FLAGS := -mavx512f -mavx512dq -mavx512vl -mavx512bw -mfma
$(BUILD)/src/kernels/ukernel_avx2_%.o:   ISA_FLAGS := -mavx2 -mfma
$(BUILD)/src/kernels/%_avx512.o:         ISA_FLAGS := -mavx512f -mavx512dq -mavx512vl -mavx512bw -mfma
$(BUILD)/src/kernels/%_avx2.o:           ISA_FLAGS := -mavx2 -mfma
endif

.SECONDARY:
.PHONY: all lib test run tutorials bench clean help debug exercise exercises
.DEFAULT_GOAL := lib
all: lib tutorials $(BENCH_BINS)
lib: $(LIB)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $(ISA_FLAGS) -c $< -o $@

$(TEST_BIN): $(TEST_OBJS) $(LIB)
	$(CXX) $(TEST_OBJS) $(LIB) $(LDFLAGS) -o $@

$(BUILD)/tutorials/%: $(BUILD)/tutorials/%.o $(LIB)
	$(CXX) $< $(LIB) $(LDFLAGS) -o $@

# Benchmarks may load OpenBLAS at run time (dlopen) to compare; the library never links it.
$(BUILD)/bench/%: $(BUILD)/tests/bench/%.o $(LIB)
	@mkdir -p $(@D)
	$(CXX) $< $(LIB) $(LDFLAGS) -ldl -o $@

$(BUILD)/exercises/%_check: tutorials/exercises/checks/%_check.cpp $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -Itutorials/exercises -Itests $< $(LIB) $(LDFLAGS) -o $@

$(BUILD)/exercises/solutions/%_check: tutorials/exercises/checks/%_check.cpp $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -Itutorials/exercises/solutions -Itests $< $(LIB) $(LDFLAGS) -o $@

$(PLANT_BUG): tests/tools/plant_bug.cpp
	@mkdir -p $(@D)
	$(CXX) -std=c++20 -O1 -Wall -Wextra $< -o $@

# planted_rule SPEC: the planted header made from the solution, then the checks built on it.
define planted_rule
$(BUILD)/exercises/planted_src/$(call planted_bug,$(1))/$(call planted_exercise,$(1)).h: $(1) tutorials/exercises/solutions/$(call planted_exercise,$(1)).h $(PLANT_BUG)
	@mkdir -p $$(@D)
	$(PLANT_BUG) $(1) tutorials/exercises/solutions/$(call planted_exercise,$(1)).h $$@
$(BUILD)/exercises/planted/$(call planted_bug,$(1)): tutorials/exercises/checks/$(call planted_exercise,$(1))_check.cpp $(BUILD)/exercises/planted_src/$(call planted_bug,$(1))/$(call planted_exercise,$(1)).h $(LIB)
	@mkdir -p $$(@D)
	$$(CXX) $$(CXXFLAGS) -I$(BUILD)/exercises/planted_src/$(call planted_bug,$(1)) -Itests $$< $$(LIB) $$(LDFLAGS) -o $$@
endef
$(foreach f,$(EX_PLANTED_SPECS),$(eval $(call planted_rule,$(f))))

exercises: $(EX_BINS) $(EX_SOLVED) $(EX_PLANTED)

# make exercise N=1: check your solution of exercise 1 (see tutorials/exercises/README.md).
exercise:
	@if [ -z "$(N)" ] || [ -z "$(filter $(N)_%,$(EX_NAMES))" ]; then \
	  echo "usage: make exercise N=<number>; the exercises are: $(EX_NAMES)"; exit 2; fi
	@$(MAKE) --no-print-directory $(BUILD)/exercises/$(filter $(N)_%,$(EX_NAMES))_check
	@$(BUILD)/exercises/$(filter $(N)_%,$(EX_NAMES))_check

# make test: install doctest and nlohmann-json if missing, build, run every check, and finish
# with one plain summary line "tests: N passed, N failed" that counts all of them, and that
# the exit status agrees with (so a run that executed nothing is visible as "tests: 0 passed").
# Before the unit tests: every tutorial with --quick (as CI must) and in reference mode,
# compared with its recorded output, and its header's numbers (tests/run_tutorials.sh);
# the exercises: solutions, planted bugs, and the stubs or your own files
# (tests/run_exercises.sh); the install check (tests/install/run.sh: make install into a
# temporary prefix, then build a program outside the tree with pkg-config and with CMake).
# Each records its checks in $(BUILD)/logs/tally.txt (tests/tally.sh), which
# tests/run_and_summarize.sh adds to the unit tests' count. Your own exercise files are
# built quietly first (in parallel) and then by tests/run_exercises.sh, which reports on
# them: one that does not compile yet does not stop make test.
# The ONNX tests (tests/test_onnx_tools.cpp) check exported files with two outside tools,
# which tests/onnx/ensure_tools.sh installs when missing: Debian's python3-onnx (apt-get) and
# npm's onnxruntime-node, once, into ONNXRUNTIME_DIR (the same folder for every BUILD, and
# for make asan and make tsan). Without node the onnxruntime comparison is skipped with a
# notice; if npm cannot install it, make test fails and says why (a counted failure).
ONNXRUNTIME_DIR ?= build/onnxruntime
ENSURE_ONNX_TOOLS = bash tests/onnx/ensure_tools.sh $(ONNXRUNTIME_DIR)
TALLY = $(BUILD)/logs/tally.txt
test:
	@bash tests/ensure_doctest.sh
	@bash tests/ensure_json.sh
	@$(MAKE) --no-print-directory $(BUILD_JOBS) $(TEST_BIN) tutorials $(EX_SOLVED) $(EX_PLANTED)
	@$(MAKE) --no-print-directory $(BUILD_JOBS) -k $(EX_BINS) >/dev/null 2>&1 || true  # yours: see run_exercises.sh
	@mkdir -p $(BUILD)/logs && : > $(TALLY); \
	 if $(ENSURE_ONNX_TOOLS); then printf 'pass\tthe ONNX tools are ready\n' >> $(TALLY); \
	 else printf 'fail\tthe ONNX tools (tests/onnx/ensure_tools.sh, see above)\n' >> $(TALLY); fi; \
	 NN_TALLY=$(TALLY) bash tests/run_counted.sh tests/run_tutorials.sh $(BUILD); \
	 NN_TALLY=$(TALLY) MAKE="$(MAKE)" bash tests/run_counted.sh tests/run_exercises.sh $(BUILD); \
	 NN_TALLY=$(TALLY) MAKE="$(MAKE)" bash tests/run_counted.sh tests/install/run.sh $(BUILD); \
	 NN_TALLY=$(TALLY) NN_ONNXRUNTIME_DIR=$(ONNXRUNTIME_DIR) bash tests/run_and_summarize.sh $(TEST_BIN) $(TEST_ARGS)

# make expected: run the tutorials again and record what they print in tutorials/expected/
# (the --quick runs that make test compares, and the full runs whose numbers the tutorials'
# headers quote; the rules are in tutorials/expected/README.md). RUNS=quick skips the full
# runs (~5 minutes); ONLY=05 records only the tutorials whose name contains 05. Then read
# `git diff tutorials/expected` before committing what changed.
RUNS ?= all
.PHONY: expected
expected:
	@bash tests/ensure_json.sh
	@$(MAKE) --no-print-directory $(BUILD_JOBS) tutorials
	@bash tests/expected_output.sh record $(BUILD) $(RUNS) $(ONLY)

tutorials: $(TUT_BINS)

# make run: the seed's MLP end to end, on the best data set already on this machine.
# It installs the one header the library builds with (nlohmann-json, for model files'
# config.json) if it is missing, builds with every core (unless make was given -j), then
# prepares data already on this machine (no network, no sudo): e.g. Debian's Fashion-MNIST
# package is decompressed into datasets/fashion-mnist/.
run:
	@bash tests/ensure_json.sh
	@$(MAKE) --no-print-directory $(BUILD_JOBS) $(BUILD)/tutorials/08_first_mlp
	@bash datasets/fetch --local
	$(BUILD)/tutorials/08_first_mlp $(ARGS)

bench: $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "== $$b"; $$b || exit 1; done

# make compare-torch: tutorial 11's autoencoder against the same network in PyTorch
# (EPOCHS=1 by default; tests/torch/compare_autoencoder.sh). Slow: PyTorch takes many minutes.
.PHONY: compare-torch
compare-torch: tutorials
	@bash tests/torch/compare_autoencoder.sh $(or $(EPOCHS),1)

# make data: fetch the real data sets into datasets/ (NAME=fashion-mnist, mnist or cifar10;
# all three without NAME). See datasets/README.md.
.PHONY: data
data:
	@bash datasets/fetch $(NAME)

# make fuzz: each file parser under libFuzzer (clang) with AddressSanitizer and UBSan, for
# FUZZ_SECONDS seconds each (default 60): IDX (MNIST), CIFAR-10 batches, the .npz
# weights/checkpoint reader, and a model file's config.json reader (tests/fuzz/fuzz_*.cpp). The parsers are compiled straight from their
# sources with clang; the corpus grows in build/fuzz/corpus_<target>/ and a crashing input
# is saved as build/fuzz/crash-… (replay it: build/fuzz/fuzz_idx build/fuzz/crash-…).
FUZZ_SECONDS ?= 60
FUZZ_CXX     ?= clang++
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_FLAGS   := -std=c++20 -g -O1 -Wall -Wextra -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc -Itests
FUZZ_LIB     := src/data/binary_file.cpp src/data/idx.cpp src/data/cifar10.cpp src/model/npz.cpp src/model/npy.cpp \
                src/model/model_config.cpp src/layers/config.cpp \
                src/tensor/tensor.cpp src/tensor/shape.cpp src/tensor/crc32.cpp src/tensor/file_io.cpp
FUZZ_TARGETS := $(patsubst tests/fuzz/%.cpp,%,$(wildcard tests/fuzz/fuzz_*.cpp))
.PHONY: fuzz
fuzz:
	@FUZZ_CXX=$(FUZZ_CXX) bash tests/fuzz/ensure_libfuzzer.sh
	@CXX=$(FUZZ_CXX) bash tests/ensure_json.sh
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CXX) -std=c++20 -O1 -Isrc -Itests tests/fuzz/make_seeds.cpp $(FUZZ_LIB) -o $(FUZZ_DIR)/make_seeds
	$(FUZZ_DIR)/make_seeds $(FUZZ_DIR)/corpus_fuzz_idx $(FUZZ_DIR)/corpus_fuzz_cifar10 $(FUZZ_DIR)/corpus_fuzz_npz \
	  $(FUZZ_DIR)/corpus_fuzz_model_config
	@for t in $(FUZZ_TARGETS); do \
	  echo "== $$t: building"; \
	  $(FUZZ_CXX) $(FUZZ_FLAGS) tests/fuzz/$$t.cpp $(FUZZ_LIB) -o $(FUZZ_DIR)/$$t || exit 1; \
	  mkdir -p $(FUZZ_DIR)/corpus_$$t; \
	  echo "== $$t: fuzzing for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus_$$t 2>$(FUZZ_DIR)/$$t.log; \
	  status=$$?; grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE' $(FUZZ_DIR)/$$t.log; \
	  if [ $$status -ne 0 ]; then tail -n 40 $(FUZZ_DIR)/$$t.log; echo "== $$t: FAILED (log: $(FUZZ_DIR)/$$t.log)"; exit 1; fi; \
	  echo "== $$t: clean"; \
	done

# make asan / make tsan: the library and the whole test suite under a sanitizer, each in
# its own build folder, run with NN_TEST_QUICK=1 (smaller sweeps; sanitizers are 2-20x
# slower). asan = AddressSanitizer (out-of-bounds, use-after-free, leaks at exit) +
# UndefinedBehaviorSanitizer (overflow, misaligned or null access...); any report fails the
# run. tsan = ThreadSanitizer: data races between the thread pool's workers.
# Both end with the same "tests: N passed, N failed" line as make test.
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
TSAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
# make run, make test and the sanitizer builds often start from nothing: use every core
# unless make was given -j itself.
BUILD_JOBS   = $(if $(findstring -j,$(MAKEFLAGS)),,-j$(shell nproc))
.PHONY: asan tsan
asan:
	@bash tests/ensure_doctest.sh
	@bash tests/ensure_json.sh
	@$(MAKE) --no-print-directory $(BUILD_JOBS) BUILD=build-asan OPT="$(ASAN_FLAGS)" EXTRA_LDFLAGS="-fsanitize=address,undefined" \
	  build-asan/tests/run_tests
	@onnx_ok=0; $(ENSURE_ONNX_TOOLS) || onnx_ok=$$?; \
	 NN_TEST_QUICK=1 NN_ONNXRUNTIME_DIR=$(ONNXRUNTIME_DIR) ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  bash tests/run_and_summarize.sh build-asan/tests/run_tests $(TEST_ARGS) && [ $$onnx_ok -eq 0 ]
tsan:
	@bash tests/ensure_doctest.sh
	@bash tests/ensure_json.sh
	@$(MAKE) --no-print-directory $(BUILD_JOBS) BUILD=build-tsan OPT="$(TSAN_FLAGS)" EXTRA_LDFLAGS="-fsanitize=thread" \
	  build-tsan/tests/run_tests
	@onnx_ok=0; $(ENSURE_ONNX_TOOLS) || onnx_ok=$$?; \
	 NN_TEST_QUICK=1 NN_ONNXRUNTIME_DIR=$(ONNXRUNTIME_DIR) TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  bash tests/run_and_summarize.sh build-tsan/tests/run_tests $(TEST_ARGS) && [ $$onnx_ok -eq 0 ]

# A -O0 -g build in its own folder, for stepping through a tutorial in gdb.
debug:
	@$(MAKE) --no-print-directory BUILD=build-debug OPT="-O0 -g" tutorials

# make install [PREFIX=/usr/local] [DESTDIR=]: puts the library where other programs find it
#   PREFIX/include/nnscratch/   nn.h and every header it includes, in their folders,
#                               so a program writes #include <nn.h>
#   PREFIX/lib/libnn.a
#   PREFIX/lib/pkgconfig/nnscratch.pc            for pkg-config --cflags --libs nnscratch
#   PREFIX/lib/cmake/nnscratch/nnscratch*.cmake  for find_package(nnscratch) -> nnscratch::nn
# DESTDIR (for packagers) is put in front of every path written, but not of the paths
# written inside the files. The .pc and CMake files come from tests/install/; make test
# checks the whole thing (tests/install/run.sh). make uninstall removes the same files.
VERSION  := 0.1.0
PREFIX   ?= /usr/local
INST      = $(DESTDIR)$(PREFIX)
# The public headers, relative to src/: nn.h and everything it includes, directly or not, as
# the compiler lists them (-MM). Headers only .cpp files include stay private. Install and
# uninstall both recompute this list, so they agree for the same checkout.
PUBLIC_HEADERS = $(CXX) -std=c++20 -Isrc -MM src/nn.h | tr -s ' \\' '\n' | sed -n 's|^src/\(.*\.h\)$$|\1|p'
# Everything else install writes, relative to PREFIX.
INSTALL_FILES  = lib/libnn.a lib/pkgconfig/nnscratch.pc \
                 lib/cmake/nnscratch/nnscratchConfig.cmake lib/cmake/nnscratch/nnscratchConfigVersion.cmake
# PREFIX is written into the .pc file, which pkg-config reads from anywhere: it must be absolute.
CHECK_PREFIX   = case "$(PREFIX)" in /*) ;; *) echo "make: PREFIX must be an absolute path (got '$(PREFIX)'), e.g. PREFIX=/usr/local or PREFIX=$$HOME/.local" >&2; exit 2;; esac
FILL_TEMPLATE  = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g'

.PHONY: install uninstall
install: $(LIB)
	@$(CHECK_PREFIX)
	@set -eo pipefail; headers=$$($(PUBLIC_HEADERS)); \
	 for h in $$headers; do install -D -m 644 "src/$$h" "$(INST)/include/nnscratch/$$h"; done; \
	 echo "installed $$(wc -w <<<"$$headers") headers into $(INST)/include/nnscratch/"
	install -D -m 644 $(LIB) "$(INST)/lib/libnn.a"
	install -d "$(INST)/lib/pkgconfig" "$(INST)/lib/cmake/nnscratch"
	$(FILL_TEMPLATE) tests/install/nnscratch.pc.in > "$(INST)/lib/pkgconfig/nnscratch.pc"
	$(FILL_TEMPLATE) tests/install/nnscratchConfigVersion.cmake.in > "$(INST)/lib/cmake/nnscratch/nnscratchConfigVersion.cmake"
	install -m 644 tests/install/nnscratchConfig.cmake "$(INST)/lib/cmake/nnscratch/nnscratchConfig.cmake"
	@chmod 644 "$(INST)/lib/pkgconfig/nnscratch.pc" "$(INST)/lib/cmake/nnscratch/nnscratchConfigVersion.cmake"

# Removes exactly the files install writes, then our own folders once they are empty
# (include/nnscratch/... and lib/cmake/nnscratch; shared folders such as lib/pkgconfig stay).
uninstall:
	@$(CHECK_PREFIX)
	@set -eo pipefail; headers=$$($(PUBLIC_HEADERS)); \
	 for f in $$(printf 'include/nnscratch/%s ' $$headers) $(INSTALL_FILES); do \
	   if [ -e "$(INST)/$$f" ]; then rm -f "$(INST)/$$f"; echo "removed $(INST)/$$f"; fi; done; \
	 for d in "$(INST)/include/nnscratch" "$(INST)/lib/cmake/nnscratch"; do \
	   if [ -d "$$d" ]; then find "$$d" -depth -type d -empty -delete; fi; \
	   if [ -e "$$d" ]; then echo "make uninstall: $$d still holds files nnscratch did not install now" \
	     "(perhaps left by an older version); look and remove them by hand:" >&2; find "$$d" -type f >&2; fi; \
	 done

clean:
	rm -rf build build-debug build-asan build-tsan

help:
	@echo "make run        train the chapter's MLP on the best data set on this machine"
	@echo "make test       install doctest and nlohmann-json if missing, build, run every test"
	@echo "make expected   record the tutorials' output again in tutorials/expected/ (RUNS=quick, ONLY=05)"
	@echo "make lib        build build/libnn.a (the default)"
	@echo "make tutorials  build every tutorial into build/tutorials/"
	@echo "make bench      build and run the benchmarks (tests/bench/)"
	@echo "make compare-torch  tutorial 11's autoencoder vs the same network in PyTorch (EPOCHS=1)"
	@echo "make exercise N=1   check your solution of an exercise (tutorials/exercises/)"
	@echo "make debug      tutorials at -O0 -g in build-debug/, for gdb"
	@echo "make install    install headers, libnn.a, pkg-config and CMake files (PREFIX=/usr/local, DESTDIR=)"
	@echo "make uninstall  remove what make install put there (same PREFIX and DESTDIR)"
	@echo "make data       fetch data sets: NAME=fashion-mnist|mnist|cifar10 (default: all)"
	@echo "make asan       the test suite under AddressSanitizer + UBSan + leak check (build-asan/)"
	@echo "make tsan       the test suite under ThreadSanitizer (build-tsan/)"
	@echo "make fuzz       fuzz the file parsers with libFuzzer (FUZZ_SECONDS=60 each)"
	@echo "make clean      remove build folders"

-include $(EX_BINS:%=%.d) $(EX_SOLVED:%=%.d) $(EX_PLANTED:%=%.d)
-include $(LIB_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(TUT_BINS:%=%.d) $(BENCH_SRCS:tests/bench/%.cpp=$(BUILD)/tests/bench/%.d)
