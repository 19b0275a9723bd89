#ifndef LUMEN_CPU_H
#define LUMEN_CPU_H

/// 1 when the CPU (and the OS, which saves the registers) supports the AVX-512 subsets Lumen's
/// convolution kernels are compiled for (F, CD, BW, DQ, VL: "skylake-avx512"), else 0.
int lumen_cpu_has_avx512(void);

#endif
