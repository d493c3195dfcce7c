#ifndef C_SYSTEM_SHIMS_H
#define C_SYSTEM_SHIMS_H

#include <stddef.h>
#include <stdint.h>

/// Swaps the two paths atomically (Linux `renameat2` with
/// `RENAME_EXCHANGE`), both of which must exist. Returns 0, or -1 with
/// errno set (ENOSYS or EINVAL where the kernel or file system cannot).
int audience_exchange_paths(const char *first, const char *second);

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Byte scans for the readers' hot loops, sixteen bytes per instruction
/// with SSE2 (every x86-64 processor has it), a plain loop elsewhere: the
/// same answers either way. Swift has no portable way to turn a vector
/// comparison into a bit mask.

/// Bit i set when byte i of the sixteen at `p` is a quote, a backslash or
/// a control character (below 0x20): where a JSON string's plain run ends.
static inline uint32_t audience_json_string_stops16(const uint8_t *p) {
#if defined(__SSE2__)
    __m128i bytes = _mm_loadu_si128((const __m128i *)p);
    __m128i quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('"'));
    __m128i backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'));
    // Unsigned: min(byte, 0x1F) == byte exactly for bytes below 0x20.
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x1F)), bytes);
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control));
#else
    uint32_t mask = 0;
    for (int i = 0; i < 16; i++) {
        if (p[i] == '"' || p[i] == '\\' || p[i] < 0x20) mask |= 1u << i;
    }
    return mask;
#endif
}

/// Nonzero when one of the 32 bytes at `p` is above 0x7F or zero: text
/// that needs a closer look than "ASCII without NUL".
static inline uint32_t audience_not_plain_ascii32(const uint8_t *p) {
#if defined(__SSE2__)
    __m128i a = _mm_loadu_si128((const __m128i *)p);
    __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i zero = _mm_setzero_si128();
    __m128i nul = _mm_or_si128(_mm_cmpeq_epi8(a, zero), _mm_cmpeq_epi8(b, zero));
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), nul));
#else
    uint32_t found = 0;
    for (int i = 0; i < 32; i++) found |= (p[i] >= 0x80 || p[i] == 0);
    return found;
#endif
}

/// Asks the processor to start bringing the cache line at `address` in: a
/// hint, which never faults whatever the address.
static inline void audience_prefetch(const void *address) {
    __builtin_prefetch(address);
}

/// Hands the free pages of the heap back to the system (glibc's
/// `malloc_trim(0)`); does nothing with other C libraries.
void audience_release_free_memory(void);

/// Keeps freed memory in the heap for the next allocations instead of
/// handing it back at once (glibc: blocks up to 32 MiB from the heap, not
/// `mmap`, and no trimming until 1 GiB is free); does nothing with other C
/// libraries.
void audience_keep_freed_memory(void);

/// A SHA-256 computation in progress (FIPS 180-4). Plain data: copying it
/// copies the computation, so a digest of a prefix costs nothing extra.
typedef struct audience_sha256_context {
    uint32_t state[8];
    /// Bytes hashed so far.
    uint64_t length;
    /// The start of an incomplete 64-byte block.
    uint8_t buffer[64];
    uint32_t buffered;
    /// Nonzero: blocks go through the x86-64 SHA instructions.
    int32_t accelerated;
} audience_sha256_context;

/// Starts a computation, with the SHA instructions when the processor has them.
void audience_sha256_init(audience_sha256_context *context);
/// Starts a computation in portable C whatever the processor (for tests and measurements).
void audience_sha256_init_portable(audience_sha256_context *context);
void audience_sha256_update(audience_sha256_context *context, const void *data, size_t length);
/// Writes the 32-byte digest; the context is then spent (init it again to reuse it).
void audience_sha256_final(audience_sha256_context *context, uint8_t digest[32]);
/// 1 when this processor runs SHA-256 with its SHA instructions (x86-64 SHA-NI), else 0.
int audience_sha256_accelerated(void);

/// 1 when `audience_crc32_fold` can fold (x86-64 with PCLMULQDQ and SSE4.1), else 0.
int audience_crc32_folding_available(void);
/// Continues gzip's CRC-32 `crc` (as zlib's crc32() takes and returns it)
/// over `length` bytes by folding with carry-less multiplication. Returns
/// `crc` unchanged, having read nothing, unless folding is available and
/// `length` is a multiple of 16 and at least 64: the caller does the rest.
uint32_t audience_crc32_fold(uint32_t crc, const uint8_t *bytes, size_t length);

/// A streaming deflate (RFC 1951) decoder that stops and fails exactly where
/// zlib's would, about 2.4 times as fast (inflate.c says how).
typedef struct audience_inflater audience_inflater;

/// What `audience_inflater_run` stopped at; each time, the output it wrote.
enum {
    /// More input is needed (or, given the last, there is none).
    AUDIENCE_INFLATE_NEED_INPUT = 0,
    /// The output room is full: take the output and run again.
    AUDIENCE_INFLATE_OUTPUT_FULL = 1,
    /// The stream's last block ended; `audience_inflater_unused` has what follows.
    AUDIENCE_INFLATE_END = 2,
    /// The last input ended inside the stream.
    AUDIENCE_INFLATE_TRUNCATED = 3,
    /// The stream is invalid; `audience_inflater_message` says why, in zlib's words.
    AUDIENCE_INFLATE_ERROR = 4,
};

/// NULL when memory is short.
audience_inflater *audience_inflater_create(void);
void audience_inflater_destroy(audience_inflater *inflater);
/// Ready for a new stream: input, history and state dropped.
void audience_inflater_reset(audience_inflater *inflater);
/// Takes as many of `length` bytes as its buffer holds (nearly 256 KiB
/// once run has used what it was given); returns how many.
size_t audience_inflater_feed(audience_inflater *inflater, const uint8_t *bytes, size_t length);
/// Decodes what it was fed (all of it when `final`, the input having
/// ended); `*output` and `*output_length` are what it wrote, valid until the next call.
int audience_inflater_run(audience_inflater *inflater, int final, const uint8_t **output, size_t *output_length);
/// Why the stream failed, in zlib's words ("truncated" when cut off).
const char *audience_inflater_message(const audience_inflater *inflater);
/// After the stream's end: the bytes fed that follow it.
size_t audience_inflater_unused(const audience_inflater *inflater, const uint8_t **bytes);

#endif
