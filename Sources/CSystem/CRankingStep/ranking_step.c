// The BPR-family SGD step of LumenRecs' ranking trainer, with AVX-512 and AVX2 paths chosen at run
// time (per-function target attributes: no compiler flags, so the package stays consumable) and a
// portable path for every other CPU. The loss is RankingUpdate's (LumenRecs); the tests check every path
// against finite differences of it.
#include "lumen_ranking.h"

#include <math.h>
#include <stddef.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static inline float sigmoid_weight(float x, float w) {
    // w·σ(−x), clamped so exp cannot overflow.
    float c = x < -30.0f ? -30.0f : (x > 30.0f ? 30.0f : x);
    return w / (1.0f + expf(c));
}

static inline void step_biases(float *bi, float *bj, float g, float lr, float breg, int use_biases) {
    if (!use_biases) return;
    *bi += lr * (g - breg * *bi);
    *bj += lr * (-g - breg * *bj);
}

// The factor update for k in [from, f): the portable path's whole loop, the AVX2 path's tail.
static inline void update_scalar(float *restrict p, float *restrict qi, float *restrict qj, long from, long f,
                                 float g, float lr, float reg) {
    for (long k = from; k < f; k++) {
        float pk = p[k], qik = qi[k], qjk = qj[k];
        p[k] = pk + lr * (g * (qik - qjk) - reg * pk);
        qi[k] = qik + lr * (g * pk - reg * qik);
        qj[k] = qjk + lr * (-g * pk - reg * qjk);
    }
}

static float step_portable(float *restrict p, float *restrict qi, float *restrict qj, float *bi, float *bj,
                           long f, float w, float lr, float reg, float breg, int use_biases) {
    float x = 0;
    for (long k = 0; k < f; k++) x += p[k] * (qi[k] - qj[k]);
    if (use_biases) x += *bi - *bj;
    float g = sigmoid_weight(x, w);
    update_scalar(p, qi, qj, 0, f, g, lr, reg);
    step_biases(bi, bj, g, lr, breg, use_biases);
    return x;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static float step_avx2(float *restrict p, float *restrict qi,
                                                          float *restrict qj, float *bi, float *bj, long f,
                                                          float w, float lr, float reg, float breg,
                                                          int use_biases) {
    long lanes = f & ~7L;
    __m256 acc = _mm256_setzero_ps();
    for (long k = 0; k < lanes; k += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(qi + k), _mm256_loadu_ps(qj + k));
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(p + k), d, acc);
    }
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    float x = _mm_cvtss_f32(s);
    for (long k = lanes; k < f; k++) x += p[k] * (qi[k] - qj[k]);
    if (use_biases) x += *bi - *bj;
    float g = sigmoid_weight(x, w);
    __m256 a = _mm256_set1_ps(lr), vg = _mm256_set1_ps(g), vr = _mm256_set1_ps(reg);
    for (long k = 0; k < lanes; k += 8) {
        __m256 pk = _mm256_loadu_ps(p + k), qik = _mm256_loadu_ps(qi + k), qjk = _mm256_loadu_ps(qj + k);
        __m256 gp = _mm256_mul_ps(vg, pk);
        __m256 dp = _mm256_fmsub_ps(vg, _mm256_sub_ps(qik, qjk), _mm256_mul_ps(vr, pk));
        __m256 di = _mm256_fmsub_ps(vr, qik, gp);  // reg·qi − g·p = −(g p − reg qi)
        __m256 dj = _mm256_fmadd_ps(vr, qjk, gp);  // reg·qj + g·p = −(−g p − reg qj)
        _mm256_storeu_ps(p + k, _mm256_fmadd_ps(a, dp, pk));
        _mm256_storeu_ps(qi + k, _mm256_fnmadd_ps(a, di, qik));
        _mm256_storeu_ps(qj + k, _mm256_fnmadd_ps(a, dj, qjk));
    }
    update_scalar(p, qi, qj, lanes, f, g, lr, reg);
    step_biases(bi, bj, g, lr, breg, use_biases);
    return x;
}

__attribute__((target("avx512f,fma"))) static float step_avx512(float *restrict p, float *restrict qi,
                                                               float *restrict qj, float *bi, float *bj,
                                                               long f, float w, float lr, float reg,
                                                               float breg, int use_biases) {
    long lanes = f & ~15L;
    __m512 acc = _mm512_setzero_ps();
    for (long k = 0; k < lanes; k += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(qi + k), _mm512_loadu_ps(qj + k));
        acc = _mm512_fmadd_ps(_mm512_loadu_ps(p + k), d, acc);
    }
    // The tail (f mod 16) in one masked pass.
    __mmask16 tail = (__mmask16)((1u << (f - lanes)) - 1u);
    if (tail) {
        __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(tail, qi + lanes), _mm512_maskz_loadu_ps(tail, qj + lanes));
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, p + lanes), d, acc);
    }
    float x = _mm512_reduce_add_ps(acc);
    if (use_biases) x += *bi - *bj;
    float g = sigmoid_weight(x, w);
    __m512 a = _mm512_set1_ps(lr), vg = _mm512_set1_ps(g), vr = _mm512_set1_ps(reg);
    for (long k = 0; k < f; k += 16) {
        __mmask16 m = k < lanes ? (__mmask16)0xFFFF : tail;
        __m512 pk = _mm512_maskz_loadu_ps(m, p + k), qik = _mm512_maskz_loadu_ps(m, qi + k),
               qjk = _mm512_maskz_loadu_ps(m, qj + k);
        __m512 gp = _mm512_mul_ps(vg, pk);
        __m512 dp = _mm512_fmsub_ps(vg, _mm512_sub_ps(qik, qjk), _mm512_mul_ps(vr, pk));
        __m512 di = _mm512_fmsub_ps(vr, qik, gp);
        __m512 dj = _mm512_fmadd_ps(vr, qjk, gp);
        _mm512_mask_storeu_ps(p + k, m, _mm512_fmadd_ps(a, dp, pk));
        _mm512_mask_storeu_ps(qi + k, m, _mm512_fnmadd_ps(a, di, qik));
        _mm512_mask_storeu_ps(qj + k, m, _mm512_fnmadd_ps(a, dj, qjk));
    }
    step_biases(bi, bj, g, lr, breg, use_biases);
    return x;
}
#endif

lumen_ranking_path lumen_ranking_best_path(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) return LUMEN_RANKING_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return LUMEN_RANKING_AVX2;
#endif
    return LUMEN_RANKING_PORTABLE;
}

float lumen_ranking_step(lumen_ranking_path path, float *p, float *qi, float *qj, float *bi, float *bj,
                         long factors, float w, float lr, float reg, float breg, int use_biases) {
#if defined(__x86_64__)
    if (path == LUMEN_RANKING_AVX512) return step_avx512(p, qi, qj, bi, bj, factors, w, lr, reg, breg, use_biases);
    if (path == LUMEN_RANKING_AVX2) return step_avx2(p, qi, qj, bi, bj, factors, w, lr, reg, breg, use_biases);
#endif
    return step_portable(p, qi, qj, bi, bj, factors, w, lr, reg, breg, use_biases);
}

void lumen_prefetch_row(const float *row, long factors) {
    const char *bytes = (const char *)row;
    for (long offset = 0; offset < factors * (long)sizeof(float); offset += 64) __builtin_prefetch(bytes + offset, 1, 3);
}
