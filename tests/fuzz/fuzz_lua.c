/*
** fuzz_lua.c -- libFuzzer target for the Lua sandbox: the input is a
** script, run by sbx_run() exactly as `consometer lua run` does, with
** small limits (4 MiB, 200 000 instructions, 300 ms). Whatever the text,
** the run must end with one of the documented codes; on success the
** result must read back as JSON; and the worker must never die of a
** signal of its own (a crash inside the sandbox: SIGSEGV, or SIGABRT
** from a sanitizer's report on its stderr), which sbx_run() would only
** report as runtime_error. A worker killed at its deadline (SIGKILL) or
** for CPU time (SIGXCPU) is the sandbox working. See README.md.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "fuzz_util.h"
#include "sbx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sbx_limits lim;
    struct sbx_result res;
    enum sbx_code     code;

    if (size > 64 * 1024)
        return 0; /* Scripts are small; long inputs only slow the search */
    sbx_limits_default(&lim);
    lim.memory_bytes = 4 << 20;
    lim.instructions = 200000;
    lim.timeout_ms = 300;
    lim.output_bytes = 64 * 1024;
    lim.clock = 1700000000;
    code = sbx_run((const char *) data, size, &lim, &res);
    FZ_CHECK(code == res.code && code >= SBX_OK && code < SBX_NCODES);
    FZ_CHECK(strstr(res.message, "died of signal") == NULL);
    if (code == SBX_OK) {
        yajl_val v = yajl_tree_parse(res.json, NULL, 0);

        FZ_CHECK(v != NULL);
        yajl_tree_free(v);
    }
    sbx_result_clear(&res);
    return 0;
}
