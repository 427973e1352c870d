# Skiff: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
SKIFF_RELEASE := build/release/cmd/skiff/skiff
SKIFF_DEV := build/dev/cmd/skiff/skiff
ARGS ?=

.PHONY: all deps build build-dev run demo test unit-test bench clean format

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release

build-dev: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev

DATA_DIR ?=
NODES ?= 1

# Starts a cluster on the embedded SQLite store, in the foreground: one node by default, or
# NODES=3 (a tainted control-plane node and two workers). As root the nodes run real
# containers, with the busybox image the examples use imported first.
run: build
	@if [ "$$(id -u)" = 0 ]; then SKIFF_BIN=$(SKIFF_RELEASE) bash scripts/make-busybox-image.sh \
	  --examples --if-missing $(if $(DATA_DIR),--data-dir $(DATA_DIR)); fi
	$(SKIFF_RELEASE) server $(if $(DATA_DIR),--data-dir $(DATA_DIR)) --nodes $(NODES) $(ARGS)

DEMO_DIR ?= /tmp/skiff-demo

# Replays the Deployments / StatefulSets / DaemonSets tutorial (docs/tutorial.md) on a fresh
# three-node cluster in DEMO_DIR: every kubectl command with its output, each step checked.
# Needs root (real containers). ARGS=--quick shortens the pauses.
demo: build
	@if [ "$$(id -u)" != 0 ]; then echo "make demo needs root: its nodes run real containers" >&2; \
	  exit 1; fi
	@SKIFF_BIN=$(SKIFF_RELEASE) bash scripts/make-busybox-image.sh --examples --if-missing \
	  --data-dir $(DEMO_DIR)
	/usr/bin/python3 scripts/demo.py --skiff $(SKIFF_RELEASE) --data-dir $(DEMO_DIR) $(ARGS)

# Unit, store conformance and integration tests (real kubectl and python client).
test: build-dev
	@ctest --preset dev

unit-test: build-dev
	@ctest --preset dev -L unit

bench: build
	@bash bench/run.sh

format:
	@git ls-files '*.cc' '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf build
