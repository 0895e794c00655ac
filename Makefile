# The two commands a newcomer needs: `make run` and `make test`. Both bootstrap
# the virtual environment themselves (Python 3.11 and a C/C++ compiler needed:
# llama-cpp-python builds from source).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
# llama.cpp is built for AVX2, not for the building machine's own instruction set: its
# AMX matrix kernels crash (SIGSEGV in ggml_backend_amx_mul_mat) on CPUs that have AMX,
# and a wheel built natively elsewhere may not run here. --no-cache-dir: a wheel cached
# from a native build is never reused.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run chat demo test bench bench-quick lint format lock clean-venv

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --no-cache-dir \
		-c constraints.txt "llama-cpp-python[server]"
	$(BIN)/python -m pip install -c constraints.txt -e ".[dev]"
	$(BIN)/python -m pip install --no-deps -e examples/shopassist-example-tool
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/shopassist demo

# The web UI, widget and HTTP API on the demo shop; prints the URL to open. demo.toml turns
# on the demo's "Browse as" shopper picker (a deployment leaves it off).
run: demo
	$(BIN)/shopassist --config demo.toml serve --dataset demo

# The same assistant in the terminal.
chat: demo
	$(BIN)/shopassist chat --dataset demo --shopper u0001

test: install
	$(BIN)/python -m pytest

# Every benchmark suite within its time budget; writes benchmarks/results/REPORT.md.
bench: install
	$(BIN)/shopassist bench all

# The CI smoke run of the benchmarks (3-10 minutes on 2 cores): small suites, accuracy floors.
bench-quick: install
	$(BIN)/shopassist bench all --quick

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-pin every transitive dependency after changing pyproject.toml.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu$$/torch==\1/' > constraints.txt

clean-venv:
	rm -rf $(VENV)
