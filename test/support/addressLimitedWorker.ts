// The scoring worker short of address space, for the fault tests: once loaded (onnxruntime
// included) it caps its own virtual memory (RLIMIT_AS, through util-linux's prlimit) at what it
// uses now plus CC_TEST_ADDRESS_HEADROOM_MB. onnxruntime's allocations beyond that fail inside
// session.run, as they do on a machine out of memory, while the worker lives on.
// Run it bundled (bundledWorker below), not through tsx: tsx instantiates a WebAssembly lexer
// in the background at start-up, and a cap set before that finishes made it exit.
import '../../src/worker/main';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const used = Number(/VmSize:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
const headroom = Number(process.env.CC_TEST_ADDRESS_HEADROOM_MB) * 2 ** 20;
execFileSync('prlimit', ['--pid', String(process.pid), `--as=${used + headroom}`]);
