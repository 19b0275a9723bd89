// CPU feature check for choosing Lumen's AVX-512 kernels at run time (LumenKernels is compiled
// for skylake-avx512 and must only be called when this returns 1).
#include "lumen_cpu.h"

int lumen_cpu_has_avx512(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}
