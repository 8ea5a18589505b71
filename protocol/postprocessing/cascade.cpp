// Cascade: both roles. The algorithm and its sources are in docs/postprocessing.md, "Error
// correction: Cascade"; the contract is in protocol/cascade.hpp.
//
// Layout of this file:
//   1. bit words: keys packed 64 bits to a word, most significant bit first (the order of PackedBits,
//      so conversion is a big-endian load), and parities of ranges by XOR and one popcount;
//   2. PassOrder: the permutation of one pass, without tables (a keyed bijection, or a random split in
//      halves read through rank and select);
//   3. KnownParities: the responder's parities that the corrector already knows, for reuse;
//   4. the responder; 5. the corrector.
//
// Secrets. The key words below (CascadeResponder::Impl::key, CascadeCorrector::Impl::key and
// ::flipped, the permuted copies PassOrder::permuted_, and the temporaries of to_words) are key
// material: they are Words, whose allocator (base/secret.hpp) wipes every block it frees. The keys
// enter and leave as PackedBits (the interface of protocol/cascade.hpp), which the caller holds and
// wipes. Nothing here logs or prints a key bit.
#include "protocol/cascade.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "base/rng.hpp"
#include "base/secret.hpp"

#if defined(__x86_64__) && defined(__ELF__) && (defined(__GNUC__) || defined(__clang__))
#define TFQKD_CASCADE_X86_DISPATCH 1
#include <immintrin.h>
#endif

namespace tfqkd::protocol {

namespace {

// Key material: see the note on secrets above.
using Words = std::vector<std::uint64_t, WipingAllocator<std::uint64_t>>;

constexpr std::string_view kConfigName = "cascade";
constexpr std::string_view kQueryName = wire::CascadeParityQuery::kName;
constexpr std::string_view kReplyName = wire::CascadeParityReply::kName;
// Every range end of a query is at most 2^32 (docs/wire-format.md, 5.10), and the mixer works on
// 32-bit words.
constexpr std::uint64_t kMaxKeyBits = (1ULL << 32) - 1;
// The wire's `pass` field is 1..16.
constexpr std::size_t kMaxPasses = wire::CascadeParityQuery::kMaxPass;
// Streams of CounterRng under the shuffle seed and under a pass's permutation seed.
constexpr std::uint64_t kPermutationSeedStream = 0x43617363'61646531ULL;  // "Cascade1"
constexpr std::uint64_t kMixerStream = 1;
constexpr std::uint64_t kHalvesStream = 2;

// --- 1. bit words -----------------------------------------------------------------------------

constexpr std::uint64_t word_count(std::uint64_t bits) noexcept { return (bits + 63) / 64; }

inline void flip_bit(Words& words, std::uint64_t i) noexcept {
    words[i >> 6] ^= (1ULL << 63) >> (i & 63);
}

inline bool bit_at(const Words& words, std::uint64_t i) noexcept {
    return ((words[i >> 6] >> (63 - (i & 63))) & 1U) != 0;
}

// Bits [from, 64) of a word (bit 0 is the most significant), from in [0, 64).
constexpr std::uint64_t mask_from(std::uint64_t from) noexcept { return ~0ULL >> from; }
// Bits [0, to) of a word, to in [0, 64].
constexpr std::uint64_t mask_below(std::uint64_t to) noexcept { return to == 0 ? 0 : ~0ULL << (64 - to); }

// Parity of bits [start, end) of `words`, each word first ANDed with `select` (or its complement when
// `complement`); select == nullptr means all bits. One popcount per range: the words are XORed first,
// since the parity of a XOR is the XOR of the parities.
bool range_parity(const Words& words, const Words* select, bool complement, std::uint64_t start,
                  std::uint64_t end) noexcept {
    if (start >= end) return false;
    const std::uint64_t flip = complement ? ~0ULL : 0;
    const auto word = [&](std::uint64_t k) {
        return select == nullptr ? words[k] : (words[k] & ((*select)[k] ^ flip));
    };
    const std::uint64_t first = start >> 6;
    const std::uint64_t last = (end - 1) >> 6;
    const std::uint64_t head = mask_from(start & 63);
    const std::uint64_t tail = mask_below(((end - 1) & 63) + 1);
    if (first == last) return (std::popcount(word(first) & head & tail) & 1) != 0;
    std::uint64_t acc = word(first) & head;
    for (std::uint64_t k = first + 1; k < last; ++k) acc ^= word(k);
    acc ^= word(last) & tail;
    return (std::popcount(acc) & 1) != 0;
}

Words to_words(const PackedBits& bits) {
    const ByteSpan bytes = bits.bytes();
    Words words(word_count(bits.size()), 0);
    for (std::size_t b = 0; b < bytes.size(); ++b)
        words[b / 8] |= static_cast<std::uint64_t>(bytes[b]) << (56 - 8 * (b % 8));
    return words;
}

PackedBits to_packed(const Words& words, std::uint64_t size) {
    // The bytes of the packed string are the words' bytes, most significant first; PackedBits takes
    // them through its reader, which also checks that the padding bits are zero.
    Bytes bytes(PackedBits::byte_count(size));  // key material, like the words
    for (std::size_t b = 0; b < bytes.size(); ++b)
        bytes[b] = static_cast<Byte>(words[b / 8] >> (56 - 8 * (b % 8)));
    Reader reader(bytes, kConfigName);
    PackedBits bits;
    const bool read = PackedBits::read(reader, "key", size, bits);
    // The words past the key are zero by construction (to_words, and flips only inside the key).
    (void)read;
    return bits;
}

// --- 2. PassOrder -----------------------------------------------------------------------------

// A keyed bijection of [0, 2^m), m <= 32: three rounds of (XOR a key, multiply by an odd key, xorshift
// right by ceil(m/2)), each a bijection of m-bit words. The multiplication carries low bits up, the
// shift carries high bits down, so every output bit depends on every input bit after the rounds. It is
// a mixing function, not a cipher: the permutation is public, it only has to scatter the errors of one
// pass's block over different blocks of the others, which docs/postprocessing.md compares with
// Fisher-Yates permutations. Arithmetic is on 32-bit words: the low m bits of a product depend only on
// the low m bits of its factors.
struct MixerKeys {
    static constexpr std::size_t kRounds = 3;
    unsigned bits = 1;
    unsigned shift = 1;
    std::uint32_t mask = 1;
    std::array<std::uint32_t, kRounds> offset{};
    std::array<std::uint32_t, kRounds> multiplier{};
    std::array<std::uint32_t, kRounds> inverse{};
};

constexpr std::size_t kMixBatch = 64;

// The original index of each position `first` .. `first` + 63 of a permuted pass: forward() with the
// cycle walk, into `out`; positions from `end` on (past the key, last word only) get 0. The walk is
// done for all lanes at once, as often as some lane still lies in [n, 2^m): at n = 10^6 (n / 2^m =
// 0.95) one extra round in 95 % of the words and a second in 13 %; at worst (n just above a power of
// two) about eight. The loops have a fixed trip count and no data-dependent branch, so the compiler
// vectorises them. On x86-64 the function is also compiled for AVX2 and chosen at load time
// (GCC and Clang function multiversioning).
#if defined(__x86_64__) && defined(__ELF__)
__attribute__((target_clones("avx2", "default")))
#endif
void mix_batch(const MixerKeys& keys, std::uint32_t first, std::uint32_t n, std::uint32_t end,
               std::uint32_t* out) noexcept {
    // The keys in locals: `out` could alias them, which would keep the loops scalar.
    const std::array<std::uint32_t, MixerKeys::kRounds> offset = keys.offset;
    const std::array<std::uint32_t, MixerKeys::kRounds> multiplier = keys.multiplier;
    const std::uint32_t mask = keys.mask;
    const unsigned shift = keys.shift;
    const auto mix = [&](std::uint32_t x) {
        for (std::size_t r = 0; r < MixerKeys::kRounds; ++r) {
            x = ((x ^ offset[r]) * multiplier[r]) & mask;
            x ^= x >> shift;
        }
        return x;
    };
    for (std::uint32_t b = 0; b < kMixBatch; ++b) out[b] = mix(first + b);
    for (std::uint32_t b = end; b < kMixBatch; ++b) out[b] = 0;
    for (;;) {
        std::uint32_t outside = 0;
        for (std::uint32_t b = 0; b < kMixBatch; ++b) outside |= out[b] >= n ? 1U : 0U;
        if (outside == 0) return;
        // Every lane is mixed and only those outside keep the result: a mask, not a branch.
        for (std::uint32_t b = 0; b < kMixBatch; ++b) {
            const std::uint32_t x = out[b];
            const std::uint32_t inside = 0U - static_cast<std::uint32_t>(x < n);
            out[b] = (x & inside) | (mix(x) & ~inside);
        }
    }
}

class Mixer {
public:
    Mixer() = default;
    Mixer(unsigned bits, std::uint64_t permutation_seed) {
        keys_.bits = bits;
        keys_.shift = (bits + 1) / 2;
        keys_.mask = bits >= 32 ? ~std::uint32_t{0} : (std::uint32_t{1} << bits) - 1;
        const CounterRng rng(permutation_seed, kMixerStream);
        for (std::size_t r = 0; r < MixerKeys::kRounds; ++r) {
            keys_.offset[r] = static_cast<std::uint32_t>(rng.at(2 * r)) & keys_.mask;
            const auto multiplier = static_cast<std::uint32_t>(rng.at(2 * r + 1)) | 1U;
            // Inverse modulo 2^32 by Newton's iteration x <- x (2 - a x), which doubles the correct
            // low bits each step from the 3 that x = a has (H. S. Warren, Hacker's Delight, 2nd ed., exact division by constants).
            std::uint32_t inverse = multiplier;
            for (int step = 0; step < 4; ++step) inverse *= 2U - multiplier * inverse;
            keys_.multiplier[r] = multiplier;
            keys_.inverse[r] = inverse;
        }
    }

    std::uint32_t forward(std::uint32_t x) const noexcept {
        for (std::size_t r = 0; r < MixerKeys::kRounds; ++r) {
            x = ((x ^ keys_.offset[r]) * keys_.multiplier[r]) & keys_.mask;
            x ^= x >> keys_.shift;
        }
        return x;
    }

    std::uint32_t backward(std::uint32_t y) const noexcept {
        for (std::size_t r = MixerKeys::kRounds; r-- > 0;) {
            // x ^ (x >> s) is I + R^s over GF(2)^m with R nilpotent, so its inverse is the sum of R^(js).
            std::uint32_t x = y;
            for (unsigned s = keys_.shift; s < keys_.bits; s += keys_.shift) x ^= y >> s;
            y = ((x * keys_.inverse[r]) & keys_.mask) ^ keys_.offset[r];
        }
        return y;
    }

    const MixerKeys& keys() const noexcept { return keys_; }

private:
    MixerKeys keys_;
};

// The key bits at `originals[0..63]`, the bit at originals[b] going to bit b from the most significant
// end (the layout of Words). Every index must lie within the key.
std::uint64_t gather_bits_portable(const Words& key, const std::uint32_t* originals) noexcept {
    std::uint64_t acc = 0;
    for (std::uint32_t b = 0; b < kMixBatch; ++b) {
        const std::uint32_t i = originals[b];
        acc |= ((key[i >> 6] >> (63 - (i & 63))) & 1U) << (63 - b);
    }
    return acc;
}

#ifdef TFQKD_CASCADE_X86_DISPATCH
// The same with AVX2: four key words per gather, each shifted left so that the wanted bit is its sign
// bit, and the four signs taken by movemask. The indices of a group are reversed first, so that lane l
// of group g is b = 63 - 4g - l and its sign lands on bit 4g + l of the word. Gathering is where the
// scalar build spent most of its time (one dependent load per bit).
__attribute__((target("avx2"))) std::uint64_t gather_bits_avx2(const Words& key, const std::uint32_t* originals) noexcept {
    const auto* base = reinterpret_cast<const long long*>(key.data());
    const __m128i low_six = _mm_set1_epi32(63);
    std::uint64_t acc = 0;
    for (unsigned g = 0; g < kMixBatch / 4; ++g) {
        __m128i index = _mm_loadu_si128(reinterpret_cast<const __m128i*>(originals + (kMixBatch - 4 - 4 * g)));
        index = _mm_shuffle_epi32(index, _MM_SHUFFLE(0, 1, 2, 3));
        const __m256i words = _mm256_i32gather_epi64(base, _mm_srli_epi32(index, 6), 8);
        const __m256i shifts = _mm256_cvtepu32_epi64(_mm_and_si128(index, low_six));
        const __m256i signs = _mm256_sllv_epi64(words, shifts);
        const auto mask = static_cast<unsigned>(_mm256_movemask_pd(_mm256_castsi256_pd(signs)));
        acc |= static_cast<std::uint64_t>(mask) << (4 * g);
    }
    return acc;
}

bool has_avx2() noexcept {
    static const bool supported = __builtin_cpu_supports("avx2") != 0;
    return supported;
}
#endif

std::uint64_t gather_bits(const Words& key, const std::uint32_t* originals) noexcept {
#ifdef TFQKD_CASCADE_X86_DISPATCH
    if (has_avx2()) return gather_bits_avx2(key, originals);
#endif
    return gather_bits_portable(key, originals);
}

// The order in which one pass reads the key: position p of the pass holds original bit original_at(p).
//  - A permuted pass (blocks smaller than n/2) uses the Mixer restricted to [0, n) by cycle walking
//    (Black and Rogaway, "Ciphers with arbitrary finite domains", CT-RSA 2002): apply the
//    bijection until the value falls below n; the same walk backwards inverts it. Its permuted copy
//    of the key is materialised, so that a block's parities are popcounts over consecutive words.
//  - A halving pass (two blocks of about n/2) assigns each bit to a half by one random bit (a mask of
//    n random bits); the first half's members come first, each half in the original order. Nothing is
//    copied: parities are popcounts of key AND mask between the original positions that rank and
//    select give. The halves' sizes are Binomial(n, 1/2) instead of exactly n/2. With errors
//    independent at rate p, a half's error count is Binomial(n, p/2) instead of Binomial(n/2, p): the
//    same mean n p/2, variance n p/2 (1 - p/2) instead of n p/2 (1 - p).
class PassOrder {
public:
    static PassOrder permuted(std::uint64_t n, std::uint64_t permutation_seed) {
        PassOrder order;
        order.n_ = n;
        const unsigned bits = std::max(1U, static_cast<unsigned>(std::bit_width(n - 1)));
        order.mixer_ = Mixer(bits, permutation_seed);
        return order;
    }

    static PassOrder halves(std::uint64_t n, std::uint64_t permutation_seed) {
        PassOrder order;
        order.n_ = n;
        order.halving_ = true;
        const std::uint64_t words = word_count(n);
        const CounterRng rng(permutation_seed, kHalvesStream);
        order.first_half_.resize(words);
        order.ones_before_.resize(words + 1);
        std::uint64_t ones = 0;
        for (std::uint64_t w = 0; w < words; ++w) {
            std::uint64_t mask = rng.at(w);
            if (w + 1 == words) mask &= mask_below(n - 64 * w);  // no member beyond the key
            order.first_half_[w] = mask;
            order.ones_before_[w] = ones;
            ones += static_cast<std::uint64_t>(std::popcount(mask));
        }
        order.ones_before_[words] = ones;
        order.first_size_ = ones;
        return order;
    }

    bool halving() const noexcept { return halving_; }
    std::uint64_t size() const noexcept { return n_; }
    // The halving pass's first block is [0, first_half_size()).
    std::uint64_t first_half_size() const noexcept { return first_size_; }

    // Copies `key` into the pass's order (permuted passes only), a word at a time: the original indices
    // of its 64 positions (mix_batch), then the gather of their key bits.
    void build(const Words& key) {
        if (halving_) return;
        permuted_.assign(word_count(n_), 0);
        std::array<std::uint32_t, kMixBatch> originals{};
        const auto n = static_cast<std::uint32_t>(n_);
        for (std::uint64_t w = 0; w < permuted_.size(); ++w) {
            const std::uint64_t end = std::min<std::uint64_t>(64, n_ - 64 * w);
            mix_batch(mixer_.keys(), static_cast<std::uint32_t>(64 * w), n, static_cast<std::uint32_t>(end),
                      originals.data());
            // Positions past the key (last word only) read bit 0 and are masked off.
            permuted_[w] = gather_bits(key, originals.data()) & mask_below(end);
        }
    }

    std::uint64_t original_at(std::uint64_t position) const noexcept {
        if (halving_) {
            return position < first_size_ ? select(true, position) : select(false, position - first_size_);
        }
        std::uint32_t x = mixer_.forward(static_cast<std::uint32_t>(position));
        while (x >= n_) x = mixer_.forward(x);
        return x;
    }

    std::uint64_t position_of(std::uint64_t original) const noexcept {
        if (halving_) {
            const std::uint64_t w = original >> 6;
            const std::uint64_t ones =
                ones_before_[w] +
                static_cast<std::uint64_t>(std::popcount(first_half_[w] & mask_below(original & 63)));
            return in_first_half(original) ? ones : first_size_ + (original - ones);
        }
        std::uint32_t x = mixer_.backward(static_cast<std::uint32_t>(original));
        while (x >= n_) x = mixer_.backward(x);
        return x;
    }

    bool in_first_half(std::uint64_t original) const noexcept { return bit_at(first_half_, original); }

    // Parity of the bits at positions [start, end) of this pass, end <= n, where `key` is the key in
    // the original order (read by halving passes; permuted passes read their own copy).
    bool parity(const Words& key, std::uint64_t start, std::uint64_t end) const noexcept {
        if (!halving_) return range_parity(permuted_, nullptr, false, start, end);
        bool parity = false;
        // The part in the first half, then the part in the second.
        if (start < first_size_) {
            const std::uint64_t stop = std::min(end, first_size_);
            const std::uint64_t from = select(true, start);
            const std::uint64_t to = stop == first_size_ ? n_ : select(true, stop);
            parity ^= range_parity(key, &first_half_, false, from, to);
        }
        if (end > first_size_) {
            const std::uint64_t begin = std::max(start, first_size_);
            const std::uint64_t second_size = n_ - first_size_;
            const std::uint64_t from = select(false, begin - first_size_);
            const std::uint64_t to = end - first_size_ == second_size ? n_ : select(false, end - first_size_);
            parity ^= range_parity(key, &first_half_, true, from, to);
        }
        return parity;
    }

    // Keeps the permuted copy equal to the key after the corrector flipped original bit `original`.
    void on_flip(std::uint64_t original) {
        if (!halving_) flip_bit(permuted_, position_of(original));
    }

private:
    // Members of a half before word w.
    std::uint64_t members_before(bool first, std::uint64_t w) const noexcept {
        return first ? ones_before_[w] : 64 * w - ones_before_[w];
    }

    // The original index of the rank-th member (from 0) of the first or second half; rank is below
    // that half's size.
    std::uint64_t select(bool first, std::uint64_t rank) const noexcept {
        // The last word w with members_before(w) <= rank, by binary search over the rank table.
        std::uint64_t low = 0;
        std::uint64_t high = first_half_.size();  // members_before(high) > rank for the true half size
        while (high - low > 1) {
            const std::uint64_t mid = low + (high - low) / 2;
            if (members_before(first, mid) <= rank) low = mid;
            else high = mid;
        }
        std::uint64_t word = first ? first_half_[low] : ~first_half_[low];
        std::uint64_t remaining = rank - members_before(first, low);
        // Skip whole bytes, then bits, from the most significant end.
        unsigned offset = 0;
        for (;; offset += 8) {
            const auto byte = static_cast<unsigned>((word >> (56 - offset)) & 0xFFU);
            const auto ones = static_cast<std::uint64_t>(std::popcount(byte));
            if (remaining < ones) break;
            remaining -= ones;
        }
        for (;; ++offset) {
            if (((word >> (63 - offset)) & 1U) != 0) {
                if (remaining == 0) break;
                --remaining;
            }
        }
        return 64 * low + offset;
    }

    std::uint64_t n_ = 0;
    bool halving_ = false;
    Mixer mixer_;
    Words permuted_;  // key material (permuted passes)
    Words first_half_;                     // public: one random bit per key bit (halving passes)
    std::vector<std::uint64_t> ones_before_;  // rank table of first_half_, one entry per word
    std::uint64_t first_size_ = 0;
};

PassOrder make_order(const CascadeSchedule& schedule, std::uint64_t shuffle_seed, std::size_t pass_index) {
    const auto pass = static_cast<unsigned>(pass_index + 1);
    const std::uint64_t seed = permutation_seed_for(shuffle_seed, pass);
    return schedule.is_halving_pass(pass) ? PassOrder::halves(schedule.key_bits, seed)
                                          : PassOrder::permuted(schedule.key_bits, seed);
}

// --- 3. KnownParities --------------------------------------------------------------------------

// The ranges a search can ask about form a binary tree per block: the block is node 1, node v of
// length L has the left half (the first ceil(L/2) bits) as node 2v and the rest as node 2v + 1, so a
// block of at most k bits numbers its nodes below 2 bit_ceil(k). A node's id in its pass is
// block * stride + node, with stride = 2 bit_ceil(largest block).
constexpr std::uint64_t node_stride(std::uint64_t largest_block) noexcept { return 2 * std::bit_ceil(largest_block); }

// Open addressing with linear probing over ids (never 0, since nodes start at 1), for passes whose
// tree numbering is too sparse for a bitmap (the halving passes, two blocks of about n/2 bits, where
// searches are rare).
class SparseParities {
public:
    SparseParities() { rehash(64); }

    std::optional<bool> find(std::uint64_t id) const noexcept {
        for (std::size_t slot = home(id);; slot = (slot + 1) & (ids_.size() - 1)) {
            if (ids_[slot] == id) return parities_[slot] != 0;
            if (ids_[slot] == 0) return std::nullopt;
        }
    }

    void insert(std::uint64_t id, bool parity) {
        if (2 * (count_ + 1) > ids_.size()) rehash(2 * ids_.size());
        place(id, parity);
    }

private:
    std::size_t home(std::uint64_t id) const noexcept {
        // Fibonacci hashing (Knuth, TAOCP vol. 3, 6.4): the top bits of id times 2^64 / phi.
        return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ULL) >> shift_);
    }

    void place(std::uint64_t id, bool parity) {
        std::size_t slot = home(id);
        while (ids_[slot] != 0 && ids_[slot] != id) slot = (slot + 1) & (ids_.size() - 1);
        if (ids_[slot] == 0) ++count_;
        ids_[slot] = id;
        parities_[slot] = parity ? 1 : 0;
    }

    void rehash(std::size_t capacity) {
        std::vector<std::uint64_t> old_ids = std::move(ids_);
        std::vector<std::uint8_t> old_parities = std::move(parities_);
        ids_.assign(capacity, 0);
        parities_.assign(capacity, 0);
        shift_ = static_cast<unsigned>(64 - std::countr_zero(capacity));
        count_ = 0;
        for (std::size_t k = 0; k < old_ids.size(); ++k)
            if (old_ids[k] != 0) place(old_ids[k], old_parities[k] != 0);
    }

    std::vector<std::uint64_t> ids_;
    std::vector<std::uint8_t> parities_;
    std::size_t count_ = 0;
    unsigned shift_ = 58;
};

// The responder's parities of the sub-blocks of one pass that the corrector has been told, by node id.
// Reusing them is the "sub-block reuse" of Martinez-Mateo et al. (2015): the reference key
// never changes, so a disclosed parity stays true. Passes of many small blocks keep two adjacent bits
// per node (told, then parity) in one bitmap, a block's nodes side by side, so that a search touches
// one or two cache lines (a hash table here cost a cache miss per step, a quarter of the run); at most
// about 4n bits, allocated at the first insertion.
class KnownParities {
public:
    KnownParities() = default;
    KnownParities(bool dense, std::uint64_t ids) : dense_(dense), ids_(ids) {}

    // Only left halves are ever asked (even node numbers, and the stride is even), so the bitmap
    // holds slot id / 2.
    std::optional<bool> find(std::uint64_t id) const noexcept {
        if (!dense_) return sparse_.find(id);
        if (bits_.empty()) return std::nullopt;
        const std::uint64_t slot = id >> 1;
        const std::uint64_t pair = (bits_[slot >> 5] >> (62 - 2 * (slot & 31))) & 3U;
        if ((pair & 2U) == 0) return std::nullopt;
        return (pair & 1U) != 0;
    }

    void insert(std::uint64_t id, bool parity) {
        if (!dense_) return sparse_.insert(id, parity);
        if (bits_.empty()) bits_.assign(word_count(ids_), 0);
        const std::uint64_t slot = id >> 1;
        const auto shift = static_cast<unsigned>(62 - 2 * (slot & 31));
        bits_[slot >> 5] = (bits_[slot >> 5] & ~(3ULL << shift)) | ((parity ? 3ULL : 2ULL) << shift);
    }

private:
    bool dense_ = false;
    std::uint64_t ids_ = 0;
    Words bits_;  // public: parities the responder disclosed
    SparseParities sparse_;
};

Status check_key(const CascadeSchedule& schedule, const PackedBits& key) {
    TFQKD_TRY(schedule.check());
    if (key.size() != schedule.key_bits)
        return make_error(Errc::length_mismatch, kConfigName, "key",
                          "the key has " + std::to_string(key.size()) + " bits, the schedule " +
                              std::to_string(schedule.key_bits));
    return {};
}

}  // namespace

// --- the schedule ------------------------------------------------------------------------------

Result<CascadeSchedule> CascadeSchedule::demystifying(std::uint64_t key_bits, double qber_estimate) {
    if (!(qber_estimate >= 0.0 && qber_estimate < 0.5))
        return make_error(Errc::out_of_range, kConfigName, "qber_estimate", "must lie in [0, 0.5)");
    // Martinez-Mateo et al. (2015), option (8); below a QBER of 1e-5 the formula's blocks
    // would outgrow any key, and the first pass then has n / 2^17 blocks.
    const double p = std::max(qber_estimate, 1e-5);
    const double alpha = std::log2(1.0 / p) - 0.5;
    CascadeSchedule schedule;
    schedule.key_bits = key_bits;
    const auto power_of_two = [](double exponent) {
        return std::uint64_t{1} << static_cast<unsigned>(std::ceil(exponent));
    };
    schedule.block_bits.push_back(power_of_two(alpha));
    schedule.block_bits.push_back(power_of_two((alpha + 12.0) / 2.0));
    schedule.block_bits.push_back(4096);
    const std::uint64_t half = std::max<std::uint64_t>(1, key_bits / 2);
    while (schedule.block_bits.size() < 14) schedule.block_bits.push_back(half);
    TFQKD_TRY(schedule.check());
    return schedule;
}

Status CascadeSchedule::check() const {
    if (key_bits == 0 || key_bits > kMaxKeyBits)
        return make_error(Errc::out_of_range, kConfigName, "key_bits", "must lie in 1 .. 2^32 - 1");
    if (block_bits.empty() || block_bits.size() > kMaxPasses)
        return make_error(Errc::out_of_range, kConfigName, "block_bits", "1 .. 16 passes");
    for (std::uint64_t size : block_bits)
        if (size == 0) return make_error(Errc::out_of_range, kConfigName, "block_bits", "a block size of 0");
    return {};
}

bool CascadeSchedule::is_halving_pass(unsigned pass) const noexcept {
    return 2 * block_bits[pass - 1] >= key_bits;
}

std::uint64_t permutation_seed_for(std::uint64_t shuffle_seed, unsigned pass) noexcept {
    return CounterRng(shuffle_seed, kPermutationSeedStream).at(pass);
}

// --- 4. the responder ---------------------------------------------------------------------------

struct CascadeResponder::Impl {
    CascadeConfig config;
    Words key;  // key material: the reference key
    std::vector<std::optional<PassOrder>> orders;  // built at a pass's first query
    std::vector<wire::Message> outgoing;
    std::uint64_t disclosed = 0;
    std::optional<Error> failure;

    Error fail(Error error) {
        failure = error;
        return error;
    }
};

CascadeResponder::CascadeResponder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CascadeResponder::CascadeResponder(CascadeResponder&&) noexcept = default;
CascadeResponder& CascadeResponder::operator=(CascadeResponder&&) noexcept = default;
CascadeResponder::~CascadeResponder() = default;

Result<CascadeResponder> CascadeResponder::create(const CascadeConfig& config, const PackedBits& reference_key) {
    TFQKD_TRY(check_key(config.schedule, reference_key));
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    impl->key = to_words(reference_key);
    impl->orders.resize(config.schedule.block_bits.size());
    return CascadeResponder(std::move(impl));
}

Result<wire::CascadeParityReply> CascadeResponder::answer(const wire::CascadeParityQuery& query) {
    Impl& s = *impl_;
    if (s.failure) return *s.failure;
    const CascadeSchedule& schedule = s.config.schedule;
    if (query.block_id != s.config.block_id)
        return s.fail(make_error(Errc::inconsistent, kQueryName, "block_id", "not the block being reconciled"));
    if (query.pass < 1 || query.pass > schedule.block_bits.size())
        return s.fail(make_error(Errc::out_of_range, kQueryName, "pass",
                                 "the schedule has " + std::to_string(schedule.block_bits.size()) + " passes"));
    if (query.permutation_seed != permutation_seed_for(s.config.shuffle_seed, query.pass))
        return s.fail(make_error(Errc::inconsistent, kQueryName, "permutation_seed",
                                 "not the seed agreed for this pass"));
    if (query.ranges.empty() || query.ranges.size() > wire::CascadeParityQuery::kMaxRanges)
        return s.fail(make_error(Errc::out_of_range, kQueryName, "range_count"));
    // Ranges that are increasing, disjoint and non-empty are what the wire can carry; the typed path
    // checks the same, and that each ends within the key.
    std::uint64_t previous_end = 0;
    for (const wire::CascadeParityQuery::Range& range : query.ranges) {
        if (range.start < previous_end)
            return s.fail(make_error(Errc::not_increasing, kQueryName, "ranges[].start"));
        if (range.length == 0 || range.length > schedule.key_bits || range.start > schedule.key_bits - range.length)
            return s.fail(make_error(Errc::out_of_range, kQueryName, "ranges[].length",
                                     "the key has " + std::to_string(schedule.key_bits) + " bits"));
        previous_end = range.start + range.length;
    }
    std::optional<PassOrder>& order = s.orders[query.pass - 1U];
    if (!order) {
        order = make_order(schedule, s.config.shuffle_seed, query.pass - 1U);
        order->build(s.key);
    }
    wire::CascadeParityReply reply;
    reply.block_id = query.block_id;
    reply.query_id = query.query_id;
    reply.parities = PackedBits(query.ranges.size());
    for (std::size_t k = 0; k < query.ranges.size(); ++k) {
        const auto& range = query.ranges[k];
        if (order->parity(s.key, range.start, range.start + range.length)) reply.parities.set(k, true);
    }
    // Each parity is one bit about the reference key on the public channel.
    s.disclosed += query.ranges.size();
    return reply;
}

std::vector<wire::Message> CascadeResponder::take_outgoing() { return std::exchange(impl_->outgoing, {}); }

Status CascadeResponder::receive(const wire::Message& message) {
    if (impl_->failure) return *impl_->failure;
    const auto* query = std::get_if<wire::CascadeParityQuery>(&message);
    if (query == nullptr)
        return impl_->fail(make_error(Errc::invalid_value, kConfigName, "type",
                                      "the Cascade responder accepts only cascade_parity_query"));
    Result<wire::CascadeParityReply> reply = answer(*query);
    if (!reply) return std::move(reply).error();
    impl_->outgoing.emplace_back(std::move(reply).value());
    return {};
}

ReconciliationState CascadeResponder::state() const noexcept {
    // The responder cannot tell the corrector's last query: it stays ready until the session moves on.
    return impl_->failure ? ReconciliationState::failed : ReconciliationState::running;
}

std::uint64_t CascadeResponder::disclosed_bits() const noexcept { return impl_->disclosed; }

// --- 5. the corrector ---------------------------------------------------------------------------

namespace {

// One binary search (BINARY of Brassard and Salvail) in one block of one pass: the
// current range, known to hold an odd number of errors when it was entered, and the responder's
// parity of it. A search resumes from its range while that is still odd, and from its block
// otherwise: a correction found elsewhere may have moved the odd error count.
struct Search {
    std::uint32_t pass_index = 0;
    std::uint64_t block = 0;
    std::uint64_t start = 0;
    std::uint64_t length = 0;
    std::uint64_t node = 1;  // the range's node in its block's tree (KnownParities)
    bool reference_parity = false;
    bool at_block = true;
};

struct PassState {
    PassOrder order;
    std::uint64_t block_bits = 0;  // permuted passes: blocks [b k, (b + 1) k), the last one shorter
    std::uint64_t block_count = 0;
    std::vector<std::uint8_t> reference_block_parity;  // the responder's parity of each block
    std::vector<std::uint8_t> searching;               // a Search of this block is open
    std::uint64_t stride = 0;                          // node ids per block (node_stride)
    KnownParities known;                               // the responder's parities of sub-blocks

    std::uint64_t node_id(std::uint64_t block, std::uint64_t node) const noexcept { return block * stride + node; }

    std::pair<std::uint64_t, std::uint64_t> block_range(std::uint64_t block) const noexcept {
        if (order.halving())
            return block == 0 ? std::pair<std::uint64_t, std::uint64_t>{0, order.first_half_size()}
                              : std::pair<std::uint64_t, std::uint64_t>{order.first_half_size(), order.size()};
        const std::uint64_t start = block * block_bits;
        return {start, std::min(order.size(), start + block_bits)};
    }

    std::uint64_t block_of(std::uint64_t original) const noexcept {
        if (order.halving()) return order.in_first_half(original) ? 0 : 1;
        return order.position_of(original) / block_bits;
    }
};

struct Outstanding {
    std::uint32_t query_id = 0;
    std::uint32_t pass_index = 0;
    bool block_parities = false;  // the pass's opening query: ranges are its blocks
    // What each range is: its block (opening query), or its node id in the pass (searches).
    std::vector<std::uint64_t> tags;
    std::vector<wire::CascadeParityQuery::Range> ranges;
};

// A range a search asks about, with its node id, before the pass's ranges are sorted into a query.
struct Asked {
    wire::CascadeParityQuery::Range range;
    std::uint64_t id = 0;
};

}  // namespace

struct CascadeCorrector::Impl {
    CascadeConfig config;
    Words key;  // key material: the noisy key, corrected in place
    // Bits flipped so far. With true parities every flip corrects an error, so no bit is flipped twice;
    // a second flip proves that the replies contradict each other, and the corrector stops there
    // instead of flipping the bit back and forth on parities it already holds.
    Words flipped;  // key material: the positions of Bob's errors
    std::vector<PassState> passes;  // the passes started so far
    std::vector<Search> open;       // searches waiting for a reply
    std::vector<Outstanding> outstanding;
    std::vector<wire::CascadeParityQuery> outgoing;
    std::uint32_t next_query_id = 0;
    std::uint64_t disclosed = 0;
    std::uint64_t round_trips = 0;
    std::uint64_t corrected = 0;
    bool finished = false;
    std::optional<Error> failure;

    Error fail(Error error) {
        failure = error;
        return error;
    }

    void send(std::uint32_t pass_index, std::vector<wire::CascadeParityQuery::Range> ranges, bool block_parities,
              std::vector<std::uint64_t> tags) {
        wire::CascadeParityQuery query;
        query.block_id = config.block_id;
        query.query_id = next_query_id++;
        query.pass = static_cast<std::uint8_t>(pass_index + 1);
        query.permutation_seed = permutation_seed_for(config.shuffle_seed, pass_index + 1);
        query.ranges = ranges;
        outgoing.push_back(std::move(query));
        outstanding.push_back(
            Outstanding{next_query_id - 1, pass_index, block_parities, std::move(tags), std::move(ranges)});
    }

    // Sends a query per kMaxRanges ranges (the wire's bound on range_count).
    void send_chunked(std::uint32_t pass_index, const std::vector<wire::CascadeParityQuery::Range>& ranges,
                      bool block_parities, const std::vector<std::uint64_t>& tags) {
        const std::size_t chunk = wire::CascadeParityQuery::kMaxRanges;
        for (std::size_t first = 0; first < ranges.size(); first += chunk) {
            const auto begin = static_cast<std::ptrdiff_t>(first);
            const auto end = static_cast<std::ptrdiff_t>(std::min(ranges.size(), first + chunk));
            send(pass_index, {ranges.begin() + begin, ranges.begin() + end}, block_parities,
                 {tags.begin() + begin, tags.begin() + end});
        }
    }

    // Opens the next pass: its order, and the query for the parities of all its blocks, in a round
    // trip of its own (`own_round`) or in the one being sent.
    void start_pass(bool own_round) {
        const auto pass_index = static_cast<std::uint32_t>(passes.size());
        PassState pass;
        pass.order = make_order(config.schedule, config.shuffle_seed, pass_index);
        pass.order.build(key);
        const std::uint64_t n = config.schedule.key_bits;
        if (pass.order.halving()) {
            pass.block_count = 2;
        } else {
            pass.block_bits = config.schedule.block_bits[pass_index];
            pass.block_count = (n + pass.block_bits - 1) / pass.block_bits;
        }
        pass.reference_block_parity.assign(pass.block_count, 0);
        pass.searching.assign(pass.block_count, 0);
        // A half holds at most n bits; a permuted pass's blocks at most block_bits.
        pass.stride = node_stride(pass.order.halving() ? n : pass.block_bits);
        pass.known = KnownParities(!pass.order.halving(), pass.block_count * pass.stride);
        std::vector<wire::CascadeParityQuery::Range> ranges;
        std::vector<std::uint64_t> blocks;
        ranges.reserve(pass.block_count);
        blocks.reserve(pass.block_count);
        for (std::uint64_t b = 0; b < pass.block_count; ++b) {
            const auto [start, end] = pass.block_range(b);
            // An empty half has parity 0 on both sides: nothing to ask.
            if (start == end) continue;
            ranges.push_back({start, end - start});
            blocks.push_back(b);
        }
        passes.push_back(std::move(pass));
        send_chunked(pass_index, ranges, true, blocks);
        if (own_round) ++round_trips;
    }

    // Flips original bit `original`, found wrong in pass `found_in`, and opens a search in every other
    // started pass whose block holding the bit now disagrees (the cascade of Brassard and Salvail).
    void correct(std::uint64_t original, std::uint32_t found_in, std::vector<Search>& work) {
        if (bit_at(flipped, original)) {
            fail(make_error(Errc::inconsistent, kReplyName, "parities",
                            "the replies contradict each other: they locate an error at bit " +
                                std::to_string(original) + " a second time"));
            return;
        }
        flip_bit(flipped, original);
        flip_bit(key, original);
        ++corrected;
        for (std::uint32_t q = 0; q < passes.size(); ++q) {
            PassState& pass = passes[q];
            pass.order.on_flip(original);
            if (q == found_in) continue;
            const std::uint64_t block = pass.block_of(original);
            if (pass.searching[block] != 0) continue;  // the open search re-checks its range when it resumes
            pass.searching[block] = 1;
            const auto [start, end] = pass.block_range(block);
            work.push_back(Search{q, block, start, end - start, 1, pass.reference_block_parity[block] != 0, true});
        }
    }

    // Advances one search as far as the known parities allow. Returns true when it waits for the
    // parity of the left half of its range (the query to send), false when it ended.
    bool advance(Search& search, std::vector<Search>& work) {
        PassState& pass = passes[search.pass_index];
        bool own_parity = pass.order.parity(key, search.start, search.start + search.length);
        if (own_parity == search.reference_parity) {
            // Even now: the block is even too (the search ends), or an odd count moved elsewhere in it.
            const auto [start, end] = pass.block_range(search.block);
            const bool block_reference = pass.reference_block_parity[search.block] != 0;
            const bool block_own = search.at_block ? own_parity : pass.order.parity(key, start, end);
            if (block_own == block_reference) {
                pass.searching[search.block] = 0;
                return false;
            }
            search = Search{search.pass_index, search.block, start, end - start, 1, block_reference, true};
            own_parity = block_own;
        }
        while (search.length > 1) {
            const std::uint64_t left = (search.length + 1) / 2;
            const std::optional<bool> reference_left = pass.known.find(pass.node_id(search.block, 2 * search.node));
            if (!reference_left) return true;
            // Block parity inference: the right half's parities are the range's minus the left's.
            const bool own_left = pass.order.parity(key, search.start, search.start + left);
            if (own_left != *reference_left) {
                search.length = left;
                search.node = 2 * search.node;
                search.reference_parity = *reference_left;
                own_parity = own_left;
            } else {
                search.start += left;
                search.length -= left;
                search.node = 2 * search.node + 1;
                search.reference_parity = search.reference_parity != *reference_left;
                own_parity = own_parity != own_left;
            }
            search.at_block = false;
        }
        pass.searching[search.block] = 0;
        correct(pass.order.original_at(search.start), search.pass_index, work);
        return false;
    }

    // After the last reply of a round: advance every open search, send the next round's queries, or
    // open the next pass, or finish.
    void next_round() {
        std::vector<Search> work = std::exchange(open, {});
        std::vector<std::vector<Asked>> asked(passes.size());
        for (std::size_t k = 0; k < work.size(); ++k) {
            Search search = work[k];  // a copy: advance may append to `work`
            const bool waits = advance(search, work);
            if (failure) return;
            if (waits) {
                const PassState& pass = passes[search.pass_index];
                asked[search.pass_index].push_back(
                    Asked{{search.start, (search.length + 1) / 2}, pass.node_id(search.block, 2 * search.node)});
                open.push_back(search);
            }
        }
        bool any = false;
        std::vector<wire::CascadeParityQuery::Range> ranges;
        std::vector<std::uint64_t> ids;
        for (std::uint32_t q = 0; q < asked.size(); ++q) {
            if (asked[q].empty()) continue;
            any = true;
            // Searches lie in distinct blocks, so their ranges are disjoint: sorted, they are increasing.
            const auto by_start = [](const Asked& a, const Asked& b) { return a.range.start < b.range.start; };
            if (!std::is_sorted(asked[q].begin(), asked[q].end(), by_start))
                std::sort(asked[q].begin(), asked[q].end(), by_start);
            ranges.clear();
            ids.clear();
            for (const Asked& a : asked[q]) {
                ranges.push_back(a.range);
                ids.push_back(a.id);
            }
            send_chunked(q, ranges, false, ids);
        }
        const bool more_passes = passes.size() < config.schedule.block_bits.size();
        if (any) {
            // The next pass's block parities may share this round trip (CascadeConfig::open_next_pass_at).
            if (more_passes && open.size() <= config.open_next_pass_at) start_pass(false);
            ++round_trips;
        } else if (more_passes) {
            start_pass(true);
        } else {
            finished = true;
        }
    }

    Status receive_reply(const wire::CascadeParityReply& reply) {
        if (failure) return *failure;
        if (finished)
            return fail(make_error(Errc::inconsistent, kReplyName, "query_id", "the reconciliation has finished"));
        if (reply.block_id != config.block_id)
            return fail(make_error(Errc::inconsistent, kReplyName, "block_id", "not the block being reconciled"));
        const auto it = std::find_if(outstanding.begin(), outstanding.end(),
                                     [&](const Outstanding& o) { return o.query_id == reply.query_id; });
        if (it == outstanding.end())
            return fail(make_error(Errc::inconsistent, kReplyName, "query_id",
                                   "no query " + std::to_string(reply.query_id) + " awaits a reply"));
        if (reply.parities.size() != it->ranges.size())
            return fail(make_error(Errc::length_mismatch, kReplyName, "parity_count",
                                   std::to_string(reply.parities.size()) + " parities for " +
                                       std::to_string(it->ranges.size()) + " ranges"));
        disclosed += reply.parities.size();
        PassState& pass = passes[it->pass_index];
        for (std::size_t k = 0; k < it->ranges.size(); ++k) {
            const bool parity = reply.parities.get(k);
            const auto& range = it->ranges[k];
            if (it->block_parities) {
                const std::uint64_t block = it->tags[k];
                pass.reference_block_parity[block] = parity ? 1 : 0;
                if (pass.order.parity(key, range.start, range.start + range.length) != parity) {
                    pass.searching[block] = 1;
                    open.push_back(Search{it->pass_index, block, range.start, range.length, 1, parity, true});
                }
            } else {
                pass.known.insert(it->tags[k], parity);
            }
        }
        outstanding.erase(it);
        if (outstanding.empty()) next_round();
        if (failure) return *failure;
        return {};
    }
};

CascadeCorrector::CascadeCorrector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CascadeCorrector::CascadeCorrector(CascadeCorrector&&) noexcept = default;
CascadeCorrector& CascadeCorrector::operator=(CascadeCorrector&&) noexcept = default;
CascadeCorrector::~CascadeCorrector() = default;

Result<CascadeCorrector> CascadeCorrector::create(const CascadeConfig& config, const PackedBits& noisy_key) {
    TFQKD_TRY(check_key(config.schedule, noisy_key));
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    impl->key = to_words(noisy_key);
    impl->flipped.assign(impl->key.size(), 0);
    impl->start_pass(true);
    return CascadeCorrector(std::move(impl));
}

std::vector<wire::CascadeParityQuery> CascadeCorrector::take_queries() { return std::exchange(impl_->outgoing, {}); }

Status CascadeCorrector::receive_reply(const wire::CascadeParityReply& reply) { return impl_->receive_reply(reply); }

std::vector<wire::Message> CascadeCorrector::take_outgoing() {
    std::vector<wire::Message> messages;
    for (wire::CascadeParityQuery& query : take_queries()) messages.emplace_back(std::move(query));
    return messages;
}

Status CascadeCorrector::receive(const wire::Message& message) {
    if (impl_->failure) return *impl_->failure;
    const auto* reply = std::get_if<wire::CascadeParityReply>(&message);
    if (reply == nullptr)
        return impl_->fail(make_error(Errc::invalid_value, kConfigName, "type",
                                      "the Cascade corrector accepts only cascade_parity_reply"));
    return impl_->receive_reply(*reply);
}

ReconciliationState CascadeCorrector::state() const noexcept {
    if (impl_->failure) return ReconciliationState::failed;
    return impl_->finished ? ReconciliationState::finished : ReconciliationState::running;
}

std::uint64_t CascadeCorrector::disclosed_bits() const noexcept { return impl_->disclosed; }
std::uint64_t CascadeCorrector::round_trips() const noexcept { return impl_->round_trips; }
std::uint64_t CascadeCorrector::corrected_bits() const noexcept { return impl_->corrected; }

Result<PackedBits> CascadeCorrector::corrected_key() const {
    if (impl_->failure) return *impl_->failure;
    if (!impl_->finished)
        return make_error(Errc::inconsistent, kConfigName, "state", "the reconciliation has not finished");
    return to_packed(impl_->key, impl_->config.schedule.key_bits);
}

}  // namespace tfqkd::protocol
