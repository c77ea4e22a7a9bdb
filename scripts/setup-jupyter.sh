#!/usr/bin/env bash
# Registers this checkout's tslab as the Jupyter kernels "tslab" (TypeScript) and "jslab"
# (JavaScript) for Debian's Jupyter in /usr/bin/python3. Safe to run again: it only
# re-registers when the kernel points at another tslab binary.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python=/usr/bin/python3
tslab="$root/node_modules/tslab/bin/tslab"

if [ ! -x "$tslab" ]; then
  echo "setup-jupyter: $tslab is missing; run 'npm ci' in $root first" >&2
  exit 1
fi
if ! "$python" -c 'import jupyter_client, nbconvert, nbclient, IPython' 2>/dev/null; then
  echo "setup-jupyter: Jupyter is missing from $python; run" \
    "'sudo apt-get install jupyter-nbconvert python3-nbclient python3-ipython jupyter-client'" >&2
  exit 1
fi

# The binary a registered kernel starts, or nothing when the kernel is not registered.
registered_binary() {
  "$python" - "$1" <<'PY'
import sys
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
try:
    print(KernelSpecManager().get_kernel_spec(sys.argv[1]).argv[0])
except NoSuchKernel:
    pass
PY
}

if [ "$(registered_binary tslab)" = "$tslab" ] && [ "$(registered_binary jslab)" = "$tslab" ]; then
  echo "setup-jupyter: kernels tslab/jslab already registered ($tslab)"
else
  "$tslab" install --python="$python" --binary="$tslab"
fi

# The kernel really starts (zeromq's prebuilt binary loads) and compiles and runs TypeScript.
"$python" - "$root/notebooks" <<'PY'
import sys
from jupyter_client.manager import start_new_kernel
printed = []
def keep_stdout(msg):
    if msg["msg_type"] == "stream":
        printed.append(msg["content"]["text"])
km, kc = start_new_kernel(kernel_name="tslab", cwd=sys.argv[1])
try:
    reply = kc.execute_interactive("const answer: number = 6 * 7;\nconsole.log(answer);",
                                   timeout=60, output_hook=keep_stdout)
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    del kc, km  # before interpreter shutdown, where jupyter_client's destructor would log noise
if reply["content"]["status"] != "ok" or "".join(printed).strip() != "42":
    sys.exit("setup-jupyter: the tslab kernel started but did not run a TypeScript cell")
print("setup-jupyter: the tslab kernel runs TypeScript")
PY

cat <<MSG

Open the notebooks (kernel "TypeScript", from $root/notebooks):
MSG
if "$python" -c 'import jupyterlab' 2>/dev/null; then
  echo "  cd $root/notebooks && $python -m jupyterlab"
elif "$python" -c 'import notebook' 2>/dev/null; then
  echo "  cd $root/notebooks && $python -m notebook"
else
  echo "  (no Jupyter web UI here; 'sudo apt-get install jupyter-notebook' adds one, or use VS Code)"
fi
echo "Run one headlessly (writes the executed copy):"
echo "  $python $root/scripts/run-notebook.py $root/notebooks/00-smoke.ipynb /tmp/00-smoke.ipynb"
