# Thin wrapper over CMake (in the style of neovim's): configure once, then build.
# `make demo` and `make test` first install any missing Debian packages: the
# build's libraries; `make test` also xmllint (well-formed report HTML),
# headless Chromium with a Japanese font (the screenshot test), pdfinfo,
# python3-jsonschema (HSDS 3.0 validation of the guide) and, from npm,
# playwright-core at the version tests/browser/package-lock.json pins (the
# guide's browser test drives Debian's chromium with it; nothing else is
# downloaded).

BUILD      ?= build
BUILD_SAN  ?= build-san
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_DIR   ?= $(BUILD)/demo
BUILD_PKGS  = cmake make gcc pkg-config sqlite3 libsqlite3-dev libgsl-dev \
              libsodium-dev libcsv-dev libutf8proc-dev libssl-dev
TEST_PKGS   = libxml2-utils chromium fonts-noto-cjk poppler-utils python3-jsonschema \
              clang libclang-rt-14-dev

.PHONY: all deps deps-test install-pkgs build demo test test-san test-fuzz bench clean

all: build

# Install only what is missing, so a machine that has everything is not touched.
deps:
	@$(MAKE) --no-print-directory install-pkgs PKGS="$(BUILD_PKGS)"

deps-test:
	@$(MAKE) --no-print-directory install-pkgs PKGS="$(BUILD_PKGS) $(TEST_PKGS)"
	@command -v node >/dev/null && command -v npm >/dev/null || \
	  $(MAKE) --no-print-directory install-pkgs PKGS="nodejs npm"
	@[ tests/browser/node_modules/.package-lock.json -nt tests/browser/package-lock.json ] || \
	  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

install-pkgs:
	@missing=""; for p in $(PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then echo "need root to install:$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DKASANE_WERROR=ON

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash datasets/demo/run-demo.sh $(BUILD) $(DEMO_DIR)

test: deps-test build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) test-san
	$(MAKE) test-fuzz

test-san: deps-test
	cmake -S . -B $(BUILD_SAN) -DKASANE_WERROR=ON -DKASANE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(BUILD_SAN) -j $(JOBS)
	cd $(BUILD_SAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) -E 'bench'

# libFuzzer harnesses (tests/fuzz, docs/fuzzing.md): clang, ASan+UBSan, each
# fuzzed KASANE_FUZZ_SECONDS (default 10) from its committed corpus, two at a time.
test-fuzz: deps-test
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DKASANE_FUZZ=ON -DKASANE_SANITIZE=ON \
	  -DKASANE_WERROR=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz
	cd $(BUILD_FUZZ) && ctest --output-on-failure -j 2 -L fuzz

bench: build
	bash bench/import.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
