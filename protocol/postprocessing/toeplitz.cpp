// Toeplitz hashing through the number-theoretic transform or carry-less multiplication: see
// protocol/postprocessing/toeplitz.hpp.
#include "protocol/postprocessing/toeplitz.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "clmul.hpp"
#include "ntt.hpp"

namespace tfqkd::pp {
namespace {

using ntt::Word;
constexpr std::string_view kMessage = "privacy_amplification";

const ntt::Kernels& kernels_for(NttPath path) noexcept {
#if defined(TFQKD_NTT_X86)
    if (path == NttPath::avx512) return ntt::avx512_kernels();
    if (path == NttPath::avx2) return ntt::avx2_kernels();
#endif
    (void)path;
    return ntt::scalar_kernels();
}

NttPath resolve(NttPath path) noexcept { return path == NttPath::automatic ? ntt_best_path() : path; }

[[maybe_unused]] bool is_clmul(NttPath path) noexcept { return path == NttPath::clmul || path == NttPath::clmul_avx512; }

// A word array aligned to 2 MiB and offered to the kernel as transparent huge pages: the radix-8
// passes touch eight far-apart places at once, and with 4 KiB pages each would be a TLB miss.
template <class Word>
class AlignedArray {
public:
    AlignedArray() = default;
    AlignedArray(const AlignedArray&) = delete;
    AlignedArray& operator=(const AlignedArray&) = delete;
    ~AlignedArray() { release(); }

    Word* data() noexcept { return words_; }
    // Makes room for `count` words; the contents are unspecified afterwards.
    void reserve(std::size_t count) {
        if (count <= capacity_) return;
        release();
        constexpr std::size_t kAlignment = std::size_t{2} << 20;
        const std::size_t bytes = (count * sizeof(Word) + kAlignment - 1) / kAlignment * kAlignment;
        void* memory = std::aligned_alloc(kAlignment, bytes);
        if (memory == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        (void)madvise(memory, bytes, MADV_HUGEPAGE);  // advice only: failure just means small pages
#endif
        words_ = static_cast<Word*>(memory);
        capacity_ = count;
    }
    // Wipes the first `count` words (they held key-derived values).
    void wipe(std::size_t count) noexcept { secure_wipe(words_, std::min(count, capacity_) * sizeof(Word)); }

private:
    void release() noexcept {
        wipe(capacity_);
        std::free(words_);
        words_ = nullptr;
        capacity_ = 0;
    }
    Word* words_ = nullptr;
    std::size_t capacity_ = 0;
};
using WordArray = AlignedArray<Word>;

// How the l x n product is cut: blocks of `rows` outputs times `cols` inputs, each a cyclic
// convolution of length 2^log2 >= cols + rows - 1 (the seed window of a block), so that nothing wraps.
struct BlockPlan {
    unsigned log2 = 0;
    std::uint64_t rows = 0;
    std::uint64_t cols = 0;
};

// The plan of least arithmetic, counting N log2 N per transform of length N: one block needs three
// transforms of length >= n + l - 1, but when l is small against n, two column blocks of half the
// length can cost less (five transforms of N/2, e.g. l = n/10 at n = 10^7: 2^23 instead of 2^24), and
// beyond the largest transform there is no choice but to cut. Per row block: the column blocks'
// input transforms (kept across row blocks when there is one column block), their seed windows'
// transforms, and one inverse.
BlockPlan plan_blocks(std::uint64_t n, std::uint64_t l, unsigned max_log2) {
    BlockPlan best;
    double best_cost = 0;
    const auto ceil_log2 = [](std::uint64_t v) { return static_cast<unsigned>(std::bit_width(v - 1)); };
    const unsigned single = std::max(ntt::kMinLog2, ceil_log2(n + l - 1));
    for (unsigned log2 = std::min(single, max_log2); log2 >= ntt::kMinLog2; --log2) {
        const std::uint64_t length = std::uint64_t{1} << log2;
        const std::uint64_t rows = std::min(l, length / 2);
        const std::uint64_t cols = std::min(n, length - rows + 1);
        const std::uint64_t row_blocks = (l + rows - 1) / rows;
        const std::uint64_t col_blocks = (n + cols - 1) / cols;
        const std::uint64_t transforms =
            col_blocks == 1 ? 1 + 2 * row_blocks : row_blocks * (2 * col_blocks + 1);
        const double cost = static_cast<double>(transforms) * static_cast<double>(length) * log2;
        if (best.log2 == 0 || cost < best_cost) {
            best = {log2, rows, cols};
            best_cost = cost;
        }
        // Halving again only adds transforms once the blocks are this many.
        if (transforms > 64) break;
    }
    return best;
}

// Estimated milliseconds (fitted on the machine of docs/postprocessing.md, large blocks): the
// transform's plan costs about 1.9e-7 ms per (length log2 length) on AVX-512, the carry-less product
// about 6.5e-7 ms per unit of clmul::choose_size's cost. Karatsuba grows as size^1.585, the transform
// as size log size: the transform wins again around 10^8 bits.
double transform_cost(std::uint64_t n, std::uint64_t l, NttPath path) {
    const BlockPlan plan = plan_blocks(n, l, ntt::kMaxLog2);
    const std::uint64_t length = std::uint64_t{1} << plan.log2;
    const std::uint64_t row_blocks = (l + plan.rows - 1) / plan.rows;
    const std::uint64_t col_blocks = (n + plan.cols - 1) / plan.cols;
    const std::uint64_t transforms = col_blocks == 1 ? 1 + 2 * row_blocks : row_blocks * (2 * col_blocks + 1);
    const double per_unit = path == NttPath::avx512 ? 1.9e-7 : path == NttPath::avx2 ? 2.4e-7 : 1.4e-6;
    return per_unit * static_cast<double>(transforms) * static_cast<double>(length) * plan.log2;
}

double clmul_cost(std::uint64_t n, std::uint64_t l, bool wide) {
    const clmul::Plan plan = clmul::plan(n, l, wide);
    const unsigned levels = static_cast<unsigned>(std::countr_zero(plan.size / plan.base));
    const double calls = std::pow(3.0, levels);
    const auto m = static_cast<double>(plan.base);
    const double per_call = (wide ? 2 * m * std::ceil(m / 8) : m * m) + 30 + 2 * m;
    return 6.5e-7 * static_cast<double>(plan.chunks) * calls * per_call;
}

}  // namespace

std::string_view ntt_path_name(NttPath path) noexcept {
    switch (path) {
        case NttPath::automatic: return "automatic";
        case NttPath::scalar: return "scalar";
        case NttPath::avx2: return "avx2";
        case NttPath::avx512: return "avx512";
        case NttPath::clmul: return "clmul";
        case NttPath::clmul_avx512: return "clmul_avx512";
    }
    return "unknown";
}

bool ntt_path_supported(NttPath path) noexcept {
    switch (path) {
        case NttPath::automatic:
        case NttPath::scalar: return true;
#if defined(TFQKD_NTT_X86)
        case NttPath::avx2: return ntt::cpu_has_avx2();
        case NttPath::avx512: return ntt::cpu_has_avx512();
        case NttPath::clmul: return clmul::cpu_has_pclmul();
        case NttPath::clmul_avx512: return clmul::cpu_has_vpclmul();
#else
        case NttPath::avx2:
        case NttPath::avx512:
        case NttPath::clmul:
        case NttPath::clmul_avx512: return false;
#endif
    }
    return false;
}

NttPath ntt_best_path() noexcept {
    // The carry-less product does less work than the transform at every size measured
    // (docs/postprocessing.md).
    if (ntt_path_supported(NttPath::clmul_avx512)) return NttPath::clmul_avx512;
    if (ntt_path_supported(NttPath::clmul)) return NttPath::clmul;
    if (ntt_path_supported(NttPath::avx512)) return NttPath::avx512;
    if (ntt_path_supported(NttPath::avx2)) return NttPath::avx2;
    return NttPath::scalar;
}

struct ToeplitzHasher::Workspace {
    WordArray seed;     // the seed window and its transform; with one column block also the convolution
    WordArray input;    // key-derived: wiped after each hash
    WordArray product;  // the sum of products when there are several column blocks; wiped after each hash
    AlignedArray<clmul::Limb> limbs;  // the clmul paths' work memory; key-derived: wiped after each hash
};

ToeplitzHasher::ToeplitzHasher(ToeplitzOptions options)
    : options_(options), workspace_(std::make_unique<Workspace>()) {}
ToeplitzHasher::~ToeplitzHasher() = default;
ToeplitzHasher::ToeplitzHasher(ToeplitzHasher&&) noexcept = default;
ToeplitzHasher& ToeplitzHasher::operator=(ToeplitzHasher&&) noexcept = default;

NttPath ToeplitzHasher::path() const noexcept { return resolve(options_.path); }

NttPath ToeplitzHasher::path_for(std::uint64_t n, std::uint64_t l) const noexcept {
    if (options_.path != NttPath::automatic) return options_.path;
    const NttPath best = ntt_best_path();
    if (!is_clmul(best) || n == 0 || l == 0 || l > n || n > kToeplitzMaxInputBits) return best;
    NttPath transform = NttPath::scalar;
    for (NttPath p : {NttPath::avx512, NttPath::avx2})
        if (ntt_path_supported(p)) {
            transform = p;
            break;
        }
    return clmul_cost(n, l, best == NttPath::clmul_avx512) <= transform_cost(n, l, transform) ? best : transform;
}

Result<SecretBits> ToeplitzHasher::hash(const PackedBits& seed, const SecretBits& input, std::uint64_t output_bits) {
    const std::uint64_t n = input.size();
    const std::uint64_t l = output_bits;
    if (n == 0) return make_error(Errc::out_of_range, kMessage, "input", "the input key is empty");
    if (n > kToeplitzMaxInputBits)
        return make_error(Errc::out_of_range, kMessage, "input", "more than 2^30 bits");
    if (l == 0 || l > n)
        return make_error(Errc::out_of_range, kMessage, "output_bits", "must lie in 1 .. input bits");
    if (seed.size() != n + l - 1)
        return make_error(Errc::length_mismatch, kMessage, "seed", "must be input + output_bits - 1 bits");
    if (options_.max_transform_log2 < ntt::kMinLog2 || options_.max_transform_log2 > ntt::kMaxLog2)
        return make_error(Errc::invalid_argument, kMessage, "max_transform_log2", "must lie in 6 .. 27");
    if (!ntt_path_supported(options_.path))
        return make_error(Errc::invalid_argument, kMessage, "path", "this CPU cannot run the requested path");
    const NttPath path = path_for(n, l);
#if defined(TFQKD_NTT_X86)
    if (is_clmul(path)) {
        const clmul::Kernels& kernels =
            path == NttPath::clmul_avx512 ? clmul::vpclmul_kernels() : clmul::pclmul_kernels();
        const std::size_t words = static_cast<std::size_t>(clmul::plan(n, l, kernels.wide).work_words);
        Workspace& ws = *workspace_;
        ws.limbs.reserve(words);
        SecretBits output(l);
        kernels.toeplitz(seed.bytes().data(), input.reveal().data(), n, l, output.reveal_mutable().data(),
                         ws.limbs.data());
        ws.limbs.wipe(words);
        return output;
    }
#endif
    const ntt::Kernels& kernels = kernels_for(path);

    const BlockPlan plan = plan_blocks(n, l, options_.max_transform_log2);
    const std::uint64_t rows = plan.rows;
    const std::uint64_t cols = plan.cols;
    const std::uint64_t window = cols + rows - 1;
    const unsigned log2 = plan.log2;
    const std::size_t length = std::size_t{1} << log2;
    const std::uint64_t row_blocks = (l + rows - 1) / rows;
    const std::uint64_t col_blocks = (n + cols - 1) / cols;
    const ntt::Twiddles& twiddles = ntt::twiddles(log2);

    Workspace& ws = *workspace_;
    ws.seed.reserve(length);
    ws.input.reserve(length);
    if (col_blocks > 1) ws.product.reserve(length);

    // The seed's ones are written as 2^32 / length (mod p): the pointwise Montgomery product divides
    // by 2^32 and the unnormalised inverse multiplies by length, so the two cancel and the inverse
    // transform returns the convolution itself.
    const Word length_inverse =
        static_cast<Word>(ntt::kModulus - (ntt::kModulus - 1) / static_cast<Word>(length));  // length^-1 mod p
    const Word seed_one = ntt::to_montgomery(length_inverse);

    SecretBits output(l);
    MutableByteSpan out = output.reveal_mutable();
    // One block (the usual case): one convolution whose last pass writes the output bits itself.
    const bool single = row_blocks == 1 && col_blocks == 1;
    const ByteSpan input_bytes = input.reveal();
    for (std::uint64_t r = 0; r < row_blocks; ++r) {
        // With one column block the product is convolved in the seed's array (the fused kernel);
        // otherwise products of the column blocks are summed in `product` and transformed back once.
        for (std::uint64_t c = 0; c < col_blocks; ++c) {
            // x_c, the input bits [c cols, (c + 1) cols); transformed once when there is one column block.
            if (!(col_blocks == 1 && r > 0)) {
                const ntt::BitSource bits{input_bytes.data(), n, static_cast<std::int64_t>(c * cols),
                                          static_cast<std::size_t>(cols), 1};
                kernels.forward_bits(ws.input.data(), bits, twiddles);
            }
            // The seed window whose Toeplitz block multiplies x_c into outputs [r rows, (r + 1) rows):
            // output i = r rows + i' and input j = c cols + j' meet at seed index
            // (r rows + n - (c + 1) cols) + (i' - j' + cols - 1), i.e. at convolution index i' + cols - 1.
            // Only the window: further seed bits would wrap around the cyclic convolution. The kernels
            // turn the bits into words (and the padding into zeros) inside their first pass.
            const std::int64_t first = static_cast<std::int64_t>(r * rows + n) - static_cast<std::int64_t>((c + 1) * cols);
            const ntt::BitSource window_bits{seed.bytes().data(), seed.size(), first, static_cast<std::size_t>(window),
                                             seed_one};
            if (single) {
                // The last pass writes the output bits and zeros; both arrays are left wiped.
                const ntt::ParitySink sink{out.data(), static_cast<std::size_t>(cols - 1), static_cast<std::size_t>(l)};
                kernels.convolve_bits_parities(ws.seed.data(), window_bits, ws.input.data(), twiddles, sink);
            } else if (col_blocks == 1) {
                kernels.convolve_bits(ws.seed.data(), window_bits, ws.input.data(), twiddles);
            } else {
                kernels.forward_bits(ws.seed.data(), window_bits, twiddles);
                kernels.multiply(ws.product.data(), ws.seed.data(), ws.input.data(), length, c > 0);
            }
        }
        if (single) break;
        // Output bits [r rows, r rows + height): the parities of convolution entries cols - 1 onwards.
        // r rows is a multiple of 8 (rows is l when there is one row block, else a power of two >= 32).
        const std::uint64_t height = std::min(rows, l - r * rows);
        const std::size_t first_byte = static_cast<std::size_t>(r * rows / 8);
        if (col_blocks > 1) {
            // The last inverse pass writes the bits and leaves the sum of products zero.
            const ntt::ParitySink sink{out.data() + first_byte, static_cast<std::size_t>(cols - 1),
                                       static_cast<std::size_t>(height)};
            kernels.inverse_parities(ws.product.data(), twiddles, sink);
            continue;
        }
        const Word* entries = ws.seed.data() + (cols - 1);  // one column block, several row blocks
        for (std::uint64_t i = 0; i < height; i += 8) {
            unsigned value = 0;
            const std::uint64_t bits_here = std::min<std::uint64_t>(8, height - i);
            for (std::uint64_t b = 0; b < bits_here; ++b) value |= (entries[i + b] & 1U) << (7 - b);
            out[first_byte + static_cast<std::size_t>(i / 8)] = static_cast<Byte>(value);
        }
    }
    // What the kernels did not leave zero: with one block they left both arrays zero; with several
    // column blocks the sum of products is zero but the input's transform is not (the seed array
    // then holds a transform of public seed bits only).
    if (single) return output;
    ws.input.wipe(length);
    if (col_blocks == 1) ws.seed.wipe(length);  // it held the convolution
    return output;
}

Result<SecretBits> toeplitz_hash(const PackedBits& seed, const SecretBits& input, std::uint64_t output_bits,
                                 ToeplitzOptions options) {
    ToeplitzHasher hasher(options);
    return hasher.hash(seed, input, output_bits);
}

}  // namespace tfqkd::pp
