#!/usr/bin/python3
"""Executes a notebook headlessly, as `jupyter nbconvert --execute` does, and writes the executed
copy even when a cell fails, so the failing cell's output (tslab prints TypeScript errors to its
stderr and sends no error message) can be read.

usage: /usr/bin/python3 scripts/run-notebook.py NOTEBOOK OUTPUT [KERNEL]
The kernel (default tslab) starts in the notebook's folder. Exit status 1 names the failing cell.
"""
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

CELL_TIMEOUT_SECONDS = 120


def main(source: str, output: str, kernel: str = "tslab") -> int:
    notebook = nbformat.read(source, as_version=4)
    folder = os.path.dirname(os.path.abspath(source))
    # nbclient waits only 4 s (by default) for a cell's outputs after its reply, then drops the rest
    # silently: a cell that sends plotly.js (MBs) on a busy machine lost its later outputs that way.
    client = NotebookClient(notebook, kernel_name=kernel, timeout=CELL_TIMEOUT_SECONDS,
                            iopub_timeout=CELL_TIMEOUT_SECONDS, raise_on_iopub_timeout=True,
                            resources={"metadata": {"path": folder}})
    failed = None
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            try:
                client.execute_cell(cell, index)
            except CellExecutionError:
                failed = index
                break
    nbformat.write(notebook, output)
    if failed is not None:
        print(f"{source}: cell {failed} failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[-2])
    sys.exit(main(*sys.argv[1:]))
