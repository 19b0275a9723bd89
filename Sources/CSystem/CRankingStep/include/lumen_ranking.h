#ifndef LUMEN_RANKING_H
#define LUMEN_RANKING_H

/// Which instruction set `lumen_ranking_step` uses.
typedef enum {
    /// Plain C (whatever the compiler vectorises for the baseline target).
    LUMEN_RANKING_PORTABLE = 0,
    /// 256-bit AVX2 with FMA.
    LUMEN_RANKING_AVX2 = 1,
    /// 512-bit AVX-512F with FMA.
    LUMEN_RANKING_AVX512 = 2,
} lumen_ranking_path;

/// The best path this CPU runs.
lumen_ranking_path lumen_ranking_best_path(void);

/// One SGD step of the weighted BPR loss on the triple (u, i, j), the gradient of `RankingUpdate.loss`
/// (LumenRecs): x = p·(qi − qj) + (bi − bj), g = w·σ(−x), then
///   p  += lr (g (qi − qj) − reg p),   qi += lr (g p − reg qi),   qj += lr (−g p − reg qj),
///   bi += lr (g − breg bi),           bj += lr (−g − breg bj)      (biases only when use_biases).
/// Returns x before the step. p, qi and qj must not overlap; bi and bj may be null without biases.
/// `path` must not be above `lumen_ranking_best_path()` (the Swift wrapper clamps it).
float lumen_ranking_step(
    lumen_ranking_path path, float *p, float *qi, float *qj, float *bi, float *bj, long factors, float w,
    float lr, float reg, float breg, int use_biases);

/// Asks the cache for the `factors` floats at `row` (a hint; never faults).
void lumen_prefetch_row(const float *row, long factors);

#endif
