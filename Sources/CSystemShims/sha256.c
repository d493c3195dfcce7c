// SHA-256 (FIPS 180-4), for content digests of input files: portable C, and
// on x86-64 processors with the SHA extensions (SHA-NI) their instructions,
// chosen at run time, several times faster.
#include <stdint.h>
#include <string.h>
#include "CSystemShims.h"
#include "cpu_answer.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define AUDIENCE_SHA256_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

// FIPS 180-4, 4.2.2: the first 32 bits of the fractional parts of the cube
// roots of the first 64 primes.
static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// MARK: - portable

static inline uint32_t rotate_right(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t load_big_endian(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

// FIPS 180-4, 6.2.2: the hash computation, one 64-byte block after another.
static void compress_portable(uint32_t state[8], const uint8_t *blocks, size_t count) {
    uint32_t w[64];
    for (; count > 0; count--, blocks += 64) {
        for (int t = 0; t < 16; t++) w[t] = load_big_endian(blocks + 4 * t);
        for (int t = 16; t < 64; t++) {
            uint32_t s0 = rotate_right(w[t - 15], 7) ^ rotate_right(w[t - 15], 18) ^ (w[t - 15] >> 3);
            uint32_t s1 = rotate_right(w[t - 2], 17) ^ rotate_right(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = s1 + w[t - 7] + s0 + w[t - 16];
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        // Unrolled, the eight variables are renamed rather than moved: about 20% faster.
#pragma GCC unroll 64
        for (int t = 0; t < 64; t++) {
            uint32_t sum1 = rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25);
            uint32_t choose = (e & f) ^ (~e & g);
            uint32_t t1 = h + sum1 + choose + round_constants[t] + w[t];
            uint32_t sum0 = rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22);
            uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
            uint32_t t2 = sum0 + majority;
            h = g; g = f; f = e; e = d + t1;
            d = c; c = b; b = a; a = t1 + t2;
        }
        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
    }
}

// MARK: - x86-64 SHA extensions

#ifdef AUDIENCE_SHA256_X86
// SHA256RNDS2 keeps the working variables in two registers, A B E F and
// C D G H (A and C in the highest 32 bits), and runs two rounds on the two
// message-plus-constant words in the low half of its third operand.
// SHA256MSG1 and SHA256MSG2 compute four message-schedule words at once
// from the sixteen before them, lowest index in the lowest 32 bits.
__attribute__((target("sha,sse4.1")))
static void compress_sha_ni(uint32_t state[8], const uint8_t *blocks, size_t count) {
    // Reverses the bytes of each 32-bit word: the message is big-endian.
    const __m128i byte_swap = _mm_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    __m128i abef = _mm_set_epi32((int)state[0], (int)state[1], (int)state[4], (int)state[5]);
    __m128i cdgh = _mm_set_epi32((int)state[2], (int)state[3], (int)state[6], (int)state[7]);

    for (; count > 0; count--, blocks += 64) {
        const __m128i abef_before = abef, cdgh_before = cdgh;
        // w[i % 4] holds message words 4i to 4i+3.
        __m128i w[4];
        for (int i = 0; i < 4; i++) {
            w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 16 * i)), byte_swap);
        }
        // Unrolled, w[i % 4] are registers: about 25% faster.
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++) {
            __m128i words = _mm_add_epi32(w[i % 4], _mm_loadu_si128((const __m128i *)&round_constants[4 * i]));
            // Rounds 4i and 4i+1 turn A B E F into the new A B E F, and the
            // old one becomes C D G H; then rounds 4i+2 and 4i+3 likewise.
            __m128i next = _mm_sha256rnds2_epu32(cdgh, abef, words);
            cdgh = abef;
            abef = next;
            next = _mm_sha256rnds2_epu32(cdgh, abef, _mm_shuffle_epi32(words, 0x0e));
            cdgh = abef;
            abef = next;
            if (i < 12) {
                // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16] for the
                // four words t = 4i+16 ... 4i+19: MSG1 adds s0, the aligned
                // pair supplies W[t-7], MSG2 adds s1 (of words it computes too).
                __m128i partial = _mm_sha256msg1_epu32(w[i % 4], w[(i + 1) % 4]);
                partial = _mm_add_epi32(partial, _mm_alignr_epi8(w[(i + 3) % 4], w[(i + 2) % 4], 4));
                w[i % 4] = _mm_sha256msg2_epu32(partial, w[(i + 3) % 4]);
            }
        }
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }

    uint32_t lanes[4];  // lowest 32 bits first
    _mm_storeu_si128((__m128i *)lanes, abef);
    state[0] = lanes[3]; state[1] = lanes[2]; state[4] = lanes[1]; state[5] = lanes[0];
    _mm_storeu_si128((__m128i *)lanes, cdgh);
    state[2] = lanes[3]; state[3] = lanes[2]; state[6] = lanes[1]; state[7] = lanes[0];
}

// CPUID rather than __builtin_cpu_supports("sha"): that reads a table the
// C runtime library (libgcc or compiler-rt) fills in, and older versions do
// not have the SHA entry where newer compilers look for it.
static int processor_has_sha_ni(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    const int sha = (ebx >> 29) & 1;
    return ssse3 && sse41 && sha;
}
#endif

int audience_sha256_accelerated(void) {
#ifdef AUDIENCE_SHA256_X86
    static int known = -1;
    return audience_cached_cpu_answer(&known, processor_has_sha_ni);
#else
    return 0;
#endif
}

static void compress(audience_sha256_context *context, const uint8_t *blocks, size_t count) {
#ifdef AUDIENCE_SHA256_X86
    if (context->accelerated) {
        compress_sha_ni(context->state, blocks, count);
        return;
    }
#endif
    compress_portable(context->state, blocks, count);
}

// MARK: - streaming

static void start(audience_sha256_context *context, int accelerated) {
    // FIPS 180-4, 5.3.3: the first 32 bits of the fractional parts of the
    // square roots of the first 8 primes.
    static const uint32_t initial[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    memcpy(context->state, initial, sizeof initial);
    context->length = 0;
    context->buffered = 0;
    context->accelerated = accelerated;
}

void audience_sha256_init(audience_sha256_context *context) {
    start(context, audience_sha256_accelerated());
}

void audience_sha256_init_portable(audience_sha256_context *context) {
    start(context, 0);
}

void audience_sha256_update(audience_sha256_context *context, const void *data, size_t length) {
    const uint8_t *bytes = data;
    context->length += length;
    if (context->buffered > 0) {
        size_t take = 64 - context->buffered;
        if (take > length) take = length;
        memcpy(context->buffer + context->buffered, bytes, take);
        context->buffered += (uint32_t)take;
        bytes += take;
        length -= take;
        if (context->buffered < 64) return;
        compress(context, context->buffer, 1);
        context->buffered = 0;
    }
    // Whole blocks straight from the caller's memory, without a copy.
    size_t blocks = length / 64;
    if (blocks > 0) {
        compress(context, bytes, blocks);
        bytes += 64 * blocks;
        length -= 64 * blocks;
    }
    if (length > 0) {
        memcpy(context->buffer, bytes, length);
        context->buffered = (uint32_t)length;
    }
}

void audience_sha256_final(audience_sha256_context *context, uint8_t digest[32]) {
    // FIPS 180-4, 5.1.1: a 1 bit, zeros up to 56 bytes into a block, then
    // the message length in bits as a 64-bit big-endian number.
    const uint64_t bits = context->length * 8;
    uint8_t padding[72] = {0x80};
    size_t zeros_and_marker = (context->buffered < 56 ? 56 : 120) - context->buffered;
    for (int i = 0; i < 8; i++) padding[zeros_and_marker + i] = (uint8_t)(bits >> (56 - 8 * i));
    audience_sha256_update(context, padding, zeros_and_marker + 8);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(context->state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(context->state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(context->state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)context->state[i];
    }
}
