// A streaming deflate decoder (RFC 1951) for gzipped logs. A big log's
// single gzip stream is inflated by one thread, and zlib 1.2's streaming
// inflate bounded that thread; libdeflate is fast but inflates only whole
// members held in memory. This decoder takes its input in pieces and does
// what makes libdeflate fast (about 2.4 times zlib's speed, within a
// seventh of libdeflate's):
//   - a 64-bit bit buffer refilled without a branch (one unaligned load per
//     symbol gives at least 56 bits, enough for a whole length/distance pair);
//   - wider first-level tables (11 bits for literals/lengths, 8 for
//     distances) whose entries carry a symbol's base and extra-bit count,
//     code and extra bits taken in one shift;
//   - the next symbol's entry looked up before the current match is copied,
//     and matches copied eight bytes at a time.
//
// It stops only between symbols, never inside one: it decodes while at
// least `HEADER_MARGIN` (a block header) or `SYMBOL_MARGIN` (a symbol)
// bytes of input are held and otherwise asks for more; given the last input
// (`final`), it decodes to the end checking, before each symbol takes
// effect, that the symbol lay wholly within the input. So what it writes
// before stopping, and why it stops, are those of zlib given the same
// bytes: every invalid stream is refused where zlib refuses it, with zlib's
// words, and a cut stream gives every symbol that came whole. (Tests
// compare the two on damaged and cut streams.)
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "CSystemShims.h"

// Input: 256 KiB at a time (a reader's 1 MiB chunk is fed in pieces), and
// zeros after the input so that loads past its end read something
// defined (a block header decoded from them is refused as cut off).
#define INPUT_CAPACITY (256u << 10)
#define INPUT_PADDING 1024u
// A dynamic block header takes at most 14 + 19*3 + 316*14 bits (565 bytes);
// a symbol at most 48 bits, read by 8-byte loads.
#define HEADER_MARGIN 1024u
#define SYMBOL_MARGIN 16u

// Output: the 32 KiB a distance may reach back, then the room filled
// between two calls, then slack for a match begun at the room's end and
// the 8-byte stores that copy it.
#define HISTORY (32u << 10)
#define OUTPUT_ROOM (256u << 10)
#define OUTPUT_SLACK 512u

#define LITLEN_ROOT 11
#define DIST_ROOT 8
#define CODES_ROOT 7
// A sub-table per root entry that longer codes share, each of the size the
// longest code needs: at most one per symbol.
#define LITLEN_TABLE_SIZE ((1u << LITLEN_ROOT) + 288u * (1u << (15 - LITLEN_ROOT)))
#define DIST_TABLE_SIZE ((1u << DIST_ROOT) + 32u * (1u << (15 - DIST_ROOT)))

// A table entry: bits 0-4 the bits it takes, the code's (the whole code,
// sub-table entries included) and the extra bits after it; 8-11 the code's
// own length (a sub-table pointer: the sub-table's index bits); 12-15 what
// it is; 16-31 its value (literal, base length or distance, sub-table
// offset). An entry with no kind is an invalid code. Taking code and extra
// bits in one shift lets the next lookup start before the value is known.
#define ENTRY_LITERAL (1u << 12)
#define ENTRY_BASE (1u << 13)
#define ENTRY_END (1u << 14)
#define ENTRY_SUBTABLE (1u << 15)
#define ENTRY(value, kind, extra, length) (((uint32_t)(value) << 16) | (kind) | ((uint32_t)(length) << 8) | (uint32_t)((length) + (extra)))
#define SUBTABLE_ENTRY(offset, bits) (((uint32_t)(offset) << 16) | ENTRY_SUBTABLE | ((uint32_t)(bits) << 8))

enum block_state { AT_HEADER, IN_HUFFMAN, IN_STORED, STREAM_DONE, FAILED };
enum table_kind { CODES, LITLENS, DISTANCES };

struct audience_inflater {
    uint8_t *input;         // INPUT_CAPACITY + INPUT_PADDING bytes
    const uint8_t *next;    // the next byte to load into `bits`
    const uint8_t *end;     // the end of the input held
    uint64_t bits;          // `count` bits not yet used; above them, zeros or the bytes from `next` on
    unsigned count;

    uint8_t *window;        // HISTORY + OUTPUT_ROOM + OUTPUT_SLACK bytes
    uint8_t *out;           // the next byte to write
    uint8_t *reach;         // the first byte a distance may reach back to (this stream's start, or 32 KiB back)

    enum block_state state;
    int last_block;
    size_t stored_left;
    int fixed_tables;       // the tables hold the fixed codes
    const char *message;
    int failure;            // once FAILED: AUDIENCE_INFLATE_TRUNCATED or _ERROR

    uint32_t litlen[LITLEN_TABLE_SIZE];
    uint32_t dist[DIST_TABLE_SIZE];
};

static const uint16_t length_base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                         35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                         3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                       257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                       8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                       7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
static const uint8_t code_length_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline void store64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

// At least 56 bits in `bits`, without a branch: the load may take bits
// already held (they are the same) and bytes beyond the input (zeros).
static inline void refill(struct audience_inflater *s) {
    s->bits |= load64(s->next) << s->count;
    s->next += (63 - s->count) >> 3;
    s->count |= 56;
}

static inline void drop(struct audience_inflater *s, unsigned n) {
    s->bits >>= n;
    s->count -= n;
}

// Bits of input used so far, counted from the start of the buffer.
static inline uint64_t position(const struct audience_inflater *s) {
    return (uint64_t)(s->next - s->input) * 8 - s->count;
}

static inline uint64_t input_bits(const struct audience_inflater *s) {
    return (uint64_t)(s->end - s->input) * 8;
}

static inline unsigned take(struct audience_inflater *s, unsigned n) {
    if (s->count < n) refill(s);
    unsigned v = (unsigned)(s->bits & ((1u << n) - 1));
    drop(s, n);
    return v;
}

static uint32_t reverse(uint32_t code, unsigned length) {
    uint32_t r = 0;
    for (unsigned i = 0; i < length; i++) {
        r = (r << 1) | (code & 1);
        code >>= 1;
    }
    return r;
}

// The decoding table of a canonical Huffman code (RFC 1951 3.2.2), or -1
// for a set of lengths zlib refuses: over-subscribed, or incomplete unless
// it is a single one-bit code of literals/lengths or distances. No code at
// all is accepted as zlib accepts it: every entry is a one-bit invalid code
// (for the code lengths' own code, zlib reads it as length 0).
static int build_table(uint32_t *table, unsigned root, const uint8_t *lengths, unsigned n, enum table_kind kind) {
    unsigned count[16] = {0};
    unsigned max = 0;
    for (unsigned i = 0; i < n; i++) {
        count[lengths[i]]++;
        if (lengths[i] > max) max = lengths[i];
    }
    uint32_t invalid = ENTRY(0, 0, 0, 1);
    if (max == 0) {
        uint32_t entry = kind == CODES ? ENTRY(0, ENTRY_LITERAL, 0, 1) : invalid;
        for (unsigned i = 0; i < (1u << root); i++) table[i] = entry;
        return 0;
    }
    int left = 1;
    for (unsigned length = 1; length <= 15; length++) {
        left <<= 1;
        left -= (int)count[length];
        if (left < 0) return -1;
    }
    if (left > 0 && (kind == CODES || max != 1)) return -1;

    unsigned next_code[16];
    unsigned code = 0;
    count[0] = 0;
    for (unsigned length = 1; length <= 15; length++) {
        code = (code + count[length - 1]) << 1;
        next_code[length] = code;
    }
    for (unsigned i = 0; i < (1u << root); i++) table[i] = invalid;
    unsigned sub_bits = max > root ? max - root : 0;
    unsigned used = 1u << root;
    for (unsigned symbol = 0; symbol < n; symbol++) {
        unsigned length = lengths[symbol];
        if (length == 0) continue;
        uint32_t reversed = reverse(next_code[length]++, length);
        uint32_t entry;
        if (kind == CODES) {
            entry = ENTRY(symbol, ENTRY_LITERAL, 0, length);
        } else if (kind == LITLENS) {
            if (symbol < 256) entry = ENTRY(symbol, ENTRY_LITERAL, 0, length);
            else if (symbol == 256) entry = ENTRY(0, ENTRY_END, 0, length);
            else if (symbol < 286) entry = ENTRY(length_base[symbol - 257], ENTRY_BASE, length_extra[symbol - 257], length);
            else entry = ENTRY(0, 0, 0, length);
        } else {
            entry = symbol < 30 ? ENTRY(dist_base[symbol], ENTRY_BASE, dist_extra[symbol], length) : ENTRY(0, 0, 0, length);
        }
        if (length <= root) {
            for (uint32_t i = reversed; i < (1u << root); i += 1u << length) table[i] = entry;
        } else {
            uint32_t prefix = reversed & ((1u << root) - 1);
            if (!(table[prefix] & ENTRY_SUBTABLE)) {
                table[prefix] = SUBTABLE_ENTRY(used, sub_bits);
                for (unsigned i = 0; i < (1u << sub_bits); i++) table[used + i] = invalid;
                used += 1u << sub_bits;
            }
            uint32_t *sub = table + (table[prefix] >> 16);
            for (uint32_t i = reversed >> root; i < (1u << sub_bits); i += 1u << (length - root)) sub[i] = entry;
        }
    }
    return 0;
}

static inline uint32_t lookup(const uint32_t *table, unsigned root, uint64_t bits) {
    uint32_t entry = table[bits & ((1u << root) - 1)];
    if (__builtin_expect((entry & ENTRY_SUBTABLE) != 0, 0)) {
        entry = table[(entry >> 16) + ((bits >> root) & ((1u << ((entry >> 8) & 15)) - 1))];
    }
    return entry;
}

audience_inflater *audience_inflater_create(void) {
    struct audience_inflater *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->input = malloc(INPUT_CAPACITY + INPUT_PADDING);
    s->window = malloc(HISTORY + OUTPUT_ROOM + OUTPUT_SLACK);
    if (!s->input || !s->window) {
        audience_inflater_destroy(s);
        return NULL;
    }
    audience_inflater_reset(s);
    return s;
}

void audience_inflater_destroy(audience_inflater *s) {
    if (!s) return;
    free(s->input);
    free(s->window);
    free(s);
}

void audience_inflater_reset(audience_inflater *s) {
    s->next = s->end = s->input;
    memset(s->input, 0, INPUT_PADDING);
    s->bits = 0;
    s->count = 0;
    s->out = s->reach = s->window + HISTORY;
    s->state = AT_HEADER;
    s->last_block = 0;
    s->stored_left = 0;
    s->fixed_tables = 0;
    s->message = NULL;
    s->failure = 0;
}

size_t audience_inflater_feed(audience_inflater *s, const uint8_t *bytes, size_t length) {
    if (length == 0) return 0;
    // Keep the bytes whose bits are still held (at most seven behind `next`).
    const uint8_t *keep = s->next - s->input >= 8 ? s->next - 8 : s->input;
    size_t kept = (size_t)(s->end - keep);
    if (keep > s->input && kept + length > INPUT_CAPACITY - (size_t)(keep - s->input)) {
        size_t shift = (size_t)(keep - s->input);
        memmove(s->input, keep, kept);
        s->next -= shift;
        s->end -= shift;
    }
    size_t room = INPUT_CAPACITY - (size_t)(s->end - s->input);
    size_t taken = length < room ? length : room;
    memcpy((uint8_t *)s->end, bytes, taken);
    s->end += taken;
    memset((uint8_t *)s->end, 0, INPUT_PADDING);
    return taken;
}

// The failure zlib would report here: the message, or a cut-off stream when
// what led to it came from beyond the input's end.
static int cut_off(struct audience_inflater *s) {
    s->state = FAILED;
    s->message = "truncated";
    return s->failure = AUDIENCE_INFLATE_TRUNCATED;
}

static int fail(struct audience_inflater *s, const char *message) {
    if (position(s) > input_bits(s)) return cut_off(s);
    s->state = FAILED;
    s->message = message;
    return s->failure = AUDIENCE_INFLATE_ERROR;
}

static void build_fixed_tables(struct audience_inflater *s) {
    uint8_t lengths[288 + 32];
    unsigned i = 0;
    for (; i < 144; i++) lengths[i] = 8;
    for (; i < 256; i++) lengths[i] = 9;
    for (; i < 280; i++) lengths[i] = 7;
    for (; i < 288; i++) lengths[i] = 8;
    for (; i < 288 + 32; i++) lengths[i] = 5;
    build_table(s->litlen, LITLEN_ROOT, lengths, 288, LITLENS);
    build_table(s->dist, DIST_ROOT, lengths + 288, 32, DISTANCES);
    s->fixed_tables = 1;
}

// A dynamic block's code lengths and tables (RFC 1951 3.2.7), refused in
// zlib's order and words.
static int read_dynamic_header(struct audience_inflater *s) {
    unsigned literals = take(s, 5) + 257;
    unsigned distances = take(s, 5) + 1;
    unsigned code_count = take(s, 4) + 4;
    if (literals > 286 || distances > 30) return fail(s, "too many length or distance symbols");
    uint8_t lengths[286 + 30];
    memset(lengths, 0, 19);
    for (unsigned i = 0; i < code_count; i++) lengths[code_length_order[i]] = (uint8_t)take(s, 3);
    uint32_t codes[1u << CODES_ROOT];
    if (build_table(codes, CODES_ROOT, lengths, 19, CODES) != 0) return fail(s, "invalid code lengths set");
    unsigned total = literals + distances;
    unsigned have = 0;
    while (have < total) {
        refill(s);
        uint32_t entry = codes[s->bits & ((1u << CODES_ROOT) - 1)];
        drop(s, entry & 31);
        unsigned symbol = entry >> 16;
        if (symbol < 16) {
            lengths[have++] = (uint8_t)symbol;
            continue;
        }
        unsigned repeat;
        uint8_t value = 0;
        if (symbol == 16) {
            repeat = 3 + take(s, 2);
            if (have == 0) return fail(s, "invalid bit length repeat");
            value = lengths[have - 1];
        } else if (symbol == 17) {
            repeat = 3 + take(s, 3);
        } else {
            repeat = 11 + take(s, 7);
        }
        if (have + repeat > total) return fail(s, "invalid bit length repeat");
        memset(lengths + have, value, repeat);
        have += repeat;
    }
    if (lengths[256] == 0) return fail(s, "invalid code -- missing end-of-block");
    if (build_table(s->litlen, LITLEN_ROOT, lengths, literals, LITLENS) != 0) return fail(s, "invalid literal/lengths set");
    if (build_table(s->dist, DIST_ROOT, lengths + literals, distances, DISTANCES) != 0) return fail(s, "invalid distances set");
    s->fixed_tables = 0;
    if (position(s) > input_bits(s)) return cut_off(s);
    return -1;
}

// A block's header; -1 when it was read and decoding goes on.
static int read_block_header(struct audience_inflater *s) {
    s->last_block = (int)take(s, 1);
    unsigned type = take(s, 2);
    switch (type) {
    case 0: {
        drop(s, s->count & 7);
        unsigned lengths = take(s, 16);
        lengths |= take(s, 16) << 16;
        if (position(s) > input_bits(s)) return cut_off(s);
        if ((lengths & 0xffff) != ((lengths >> 16) ^ 0xffff)) return fail(s, "invalid stored block lengths");
        s->stored_left = lengths & 0xffff;
        // Stored bytes are copied from the input itself: give back the
        // whole bytes the bit buffer holds.
        s->next -= s->count >> 3;
        s->bits = 0;
        s->count = 0;
        s->state = IN_STORED;
        return -1;
    }
    case 1:
        if (position(s) > input_bits(s)) return cut_off(s);
        if (!s->fixed_tables) build_fixed_tables(s);
        s->state = IN_HUFFMAN;
        return -1;
    case 2: {
        int status = read_dynamic_header(s);
        if (status == -1) s->state = IN_HUFFMAN;
        return status;
    }
    default:
        return fail(s, "invalid block type");
    }
}

// Writes a match of `length` bytes at `to` from `distance` bytes back; may
// write up to 39 bytes past its end (the window has slack for it).
static inline __attribute__((always_inline)) void copy_match(uint8_t *to, size_t distance, unsigned length) {
    const uint8_t *from = to - distance;
    uint8_t *const end = to + length;
    if (distance >= 8) {
        // Each store reads bytes written at least eight before it. Matches
        // in logs run long: five words without a test took 12% off the
        // whole decoding against three.
        store64(to, load64(from));
        store64(to + 8, load64(from + 8));
        store64(to + 16, load64(from + 16));
        store64(to + 24, load64(from + 24));
        store64(to + 32, load64(from + 32));
        to += 40;
        from += 40;
        while (to < end) {
            store64(to, load64(from));
            to += 8;
            from += 8;
        }
    } else if (distance == 1) {
        memset(to, *from, length);
    } else {
        do { *to++ = *from++; } while (to < end);
    }
}

// Decodes symbols while there is room for one more in the output and (when
// `checked` is 0) enough input for one more. With `checked`, at the input's
// end, each symbol takes effect only if it lay within the input. Returns
// -1 at the block's end, 0 when it stopped for room or input, or a status.
// The bit buffer lives in locals here: the output's byte stores could
// otherwise alias the decoder's fields and force them back to memory.
static inline __attribute__((always_inline)) int decode_symbols(struct audience_inflater *s, int checked) {
    const uint32_t *litlen = s->litlen;
    const uint32_t *dist = s->dist;
    uint8_t *out = s->out;
    uint8_t *const out_end = s->window + HISTORY + OUTPUT_ROOM;
    const uint8_t *const base = s->input;
    // How far `next` may be (as an offset) for one more symbol: negative,
    // so no symbol at all, when fewer than SYMBOL_MARGIN bytes are held.
    const ptrdiff_t in_limit = (s->end - base) + (checked ? (ptrdiff_t)INPUT_PADDING : 0) - (ptrdiff_t)SYMBOL_MARGIN;
    const uint64_t limit = input_bits(s);
    const uint8_t *const reach = s->reach;
    const uint8_t *next = s->next;
    uint64_t bits = s->bits;
    unsigned count = s->count;
    int status = 0;
#define REFILL() do { bits |= load64(next) << count; next += (63 - count) >> 3; count |= 56; } while (0)
#define DROP(n) do { unsigned dropped_ = (n); bits >>= (dropped_ & 63); count -= dropped_; } while (0)
#define BEYOND_INPUT() (checked && (uint64_t)(next - base) * 8 - count > limit)
#define SAVE() do { s->next = next; s->bits = bits; s->count = count; s->out = out; } while (0)
    // The next symbol's table entry is looked up as soon as its bits are
    // in, before the current one's bytes are written, so that the lookup's
    // latency overlaps the copy. A lookup needs 15 valid bits; a refill
    // adds bits above those held, so an entry stays valid across one.
    uint32_t entry;
    if (out >= out_end || next - base > in_limit) goto stop;
    REFILL();
    entry = lookup(litlen, LITLEN_ROOT, bits);
    for (;;) {
        if (entry & ENTRY_LITERAL) {
            DROP(entry & 0xff);
            if (BEYOND_INPUT()) { SAVE(); status = cut_off(s); break; }
            *out++ = (uint8_t)(entry >> 16);
            // A second literal from the same refill (at least 41 bits left,
            // at least 26 after it).
            entry = lookup(litlen, LITLEN_ROOT, bits);
            if (entry & ENTRY_LITERAL) {
                DROP(entry & 0xff);
                if (BEYOND_INPUT()) { SAVE(); status = cut_off(s); break; }
                *out++ = (uint8_t)(entry >> 16);
                entry = lookup(litlen, LITLEN_ROOT, bits);
            }
            if (out >= out_end || next - base > in_limit) goto stop;
            REFILL();
            continue;
        }
        if (entry & ENTRY_BASE) {
            // At least 56 bits: a length (15 + 5) and a distance (15 + 13).
            uint64_t taken = bits;
            DROP(entry & 0xff);
            uint32_t distance_entry = lookup(dist, DIST_ROOT, bits);
            unsigned length = (entry >> 16) + (unsigned)((taken & ((1u << (entry & 31)) - 1)) >> ((entry >> 8) & 15));
            entry = distance_entry;
            if (!(entry & ENTRY_BASE)) {
                DROP(entry & 0xff);
                SAVE();
                status = fail(s, "invalid distance code");
                break;
            }
            taken = bits;
            DROP(entry & 0xff);
            size_t distance = (entry >> 16) + (size_t)((taken & ((1ull << (entry & 31)) - 1)) >> ((entry >> 8) & 15));
            if (BEYOND_INPUT()) { SAVE(); status = cut_off(s); break; }
            if (distance > (size_t)(out - reach)) {
                SAVE();
                status = fail(s, "invalid distance too far back");
                break;
            }
            uint8_t *to = out;
            out += length;
            int more = out < out_end && next - base <= in_limit;
            if (more) {
                REFILL();
                entry = lookup(litlen, LITLEN_ROOT, bits);
            }
            copy_match(to, distance, length);
            if (!more) goto stop;
            continue;
        }
        DROP(entry & 0xff);
        SAVE();
        if (entry & ENTRY_END) {
            if (BEYOND_INPUT()) { status = cut_off(s); break; }
            status = -1;
            break;
        }
        // A sub-table pointer has no length, so an invalid code is all that is left.
        status = fail(s, "invalid literal/length code");
        break;
    }
    if (0) {
    stop:
        SAVE();
        status = 0;
    }
#undef REFILL
#undef DROP
#undef BEYOND_INPUT
#undef SAVE
    return status;
}

static int copy_stored(struct audience_inflater *s, int final) {
    uint8_t *const out_end = s->window + HISTORY + OUTPUT_ROOM;
    size_t n = s->stored_left;
    size_t have = (size_t)(s->end - s->next);
    size_t room = (size_t)(out_end - s->out);
    if (n > have) n = have;
    if (n > room) n = room;
    memcpy(s->out, s->next, n);
    s->out += n;
    s->next += n;
    s->stored_left -= n;
    if (s->stored_left == 0) {
        s->state = s->last_block ? STREAM_DONE : AT_HEADER;
        return -1;
    }
    if (s->out == out_end) return AUDIENCE_INFLATE_OUTPUT_FULL;
    return final ? cut_off(s) : AUDIENCE_INFLATE_NEED_INPUT;
}

int audience_inflater_run(audience_inflater *s, int final, const uint8_t **output, size_t *output_length) {
    if (s->state == FAILED) {
        *output = s->out;
        *output_length = 0;
        return s->failure;
    }
    // The room is full: keep the history a distance may reach, start again.
    if (s->out >= s->window + HISTORY + OUTPUT_ROOM) {
        size_t keep = (size_t)(s->out - s->reach);
        if (keep > HISTORY) keep = HISTORY;
        memmove(s->window + HISTORY - keep, s->out - keep, keep);
        s->out = s->window + HISTORY;
        s->reach = s->out - keep;
    }
    uint8_t *start = s->out;
    int status = -1;
    while (status == -1) {
        switch (s->state) {
        case AT_HEADER:
            if (!final && (size_t)(s->end - s->next) < HEADER_MARGIN) {
                status = AUDIENCE_INFLATE_NEED_INPUT;
                break;
            }
            status = read_block_header(s);
            break;
        case IN_HUFFMAN:
            status = final ? decode_symbols(s, 1) : decode_symbols(s, 0);
            if (status == -1) {
                s->state = s->last_block ? STREAM_DONE : AT_HEADER;
            } else if (status == 0) {
                status = s->out >= s->window + HISTORY + OUTPUT_ROOM ? AUDIENCE_INFLATE_OUTPUT_FULL
                         : final ? cut_off(s) : AUDIENCE_INFLATE_NEED_INPUT;
            }
            break;
        case IN_STORED:
            status = copy_stored(s, final);
            break;
        case STREAM_DONE:
            // Give back the whole bytes the bit buffer holds after the last
            // block's end: they follow the stream (the gzip trailer).
            drop(s, s->count & 7);
            s->next -= s->count >> 3;
            s->bits = 0;
            s->count = 0;
            status = AUDIENCE_INFLATE_END;
            break;
        case FAILED:
            status = s->failure;
            break;
        }
    }
    *output = start;
    *output_length = (size_t)(s->out - start);
    return status;
}

const char *audience_inflater_message(const audience_inflater *s) { return s->message ? s->message : ""; }

size_t audience_inflater_unused(const audience_inflater *s, const uint8_t **bytes) {
    *bytes = s->next;
    return s->state == STREAM_DONE && s->next <= s->end ? (size_t)(s->end - s->next) : 0;
}
