/*
 * fuzz_cfg.c: libFuzzer target for the config file parser (src/cfg).
 *
 * Feeds arbitrary bytes as a config file to the stream layer's directive table (every value
 * type: strings with a check hook, ints, bools, durations, sizes), so line splitting, quoting,
 * comments, unit parsing and error formatting see hostile input. Errors are expected;
 * crashes, leaks and sanitizer reports are not. After a successful load every STR field is
 * NULL or a NUL-terminated heap string, and the error message is always NUL-terminated.
 * Seeds: conf/stepxd.conf and small hand-written files (tests/fuzz/corpus/cfg/).
 *
 * Build: cmake -S . -B build-fuzz -DSX_FUZZ=ON -DCMAKE_C_COMPILER=clang
 * Run:   build-fuzz/bin/fuzz_cfg -max_total_time=60 WORKDIR tests/fuzz/corpus/cfg
 */
#include <stdlib.h>
#include <string.h>

#include "stepx/cfg.h"
#include "stepx/stream.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    rs_conf_t cf;
    cfg_err_t err;
    cfg_section_t sec = {rs_conf_directives, &cf};
    memset(&cf, 0, sizeof(cf));
    if (cfg_defaults_apply(&sec, 1, &err) != SX_OK)
        abort();
    err.msg[sizeof(err.msg) - 1] = 'x';
    if (cfg_text_load(&sec, 1, "fuzz", (const char *)data, size, &err) != SX_OK) {
        if (memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
            abort();
    } else if (cf.redis_host == NULL || strlen(cf.redis_tag) == 0) {
        abort(); /* defaults survive, checks hold */
    }
    cfg_sections_fini(&sec, 1);
    return 0;
}
