// Twiddle tables and CPU feature detection for the number-theoretic transform.
#include <array>
#include <mutex>

#include "ntt.hpp"

namespace tfqkd::pp::ntt {
namespace {

Word multiply_mod(Word a, Word b) { return static_cast<Word>(static_cast<std::uint64_t>(a) * b % kModulus); }

Word power_mod(Word base, std::uint64_t exponent) {
    Word result = 1;
    while (exponent > 0) {
        if ((exponent & 1U) != 0) result = multiply_mod(result, base);
        base = multiply_mod(base, base);
        exponent >>= 1;
    }
    return result;
}

// Fills table[m/2 + j] = root_m^j (Montgomery form) for every level m <= 2^log2, where root is a
// primitive 2^log2-th root of unity. The top level is built by repeated multiplication; level m is
// every other entry of level 2m, since root_{2m}^(2j) = root_m^j.
std::unique_ptr<Word[]> build_levels(unsigned log2, Word root) {
    const std::size_t size = std::size_t{1} << log2;
    auto table = std::make_unique<Word[]>(size);
    table[0] = 0;
    Word power = 1;
    for (std::size_t j = 0; j < size / 2; ++j) {
        table[size / 2 + j] = to_montgomery(power);
        power = multiply_mod(power, root);
    }
    for (std::size_t half = size / 4; half >= 1; half /= 2)
        for (std::size_t j = 0; j < half; ++j) table[half + j] = table[2 * half + 2 * j];
    return table;
}

}  // namespace

const Twiddles& twiddles(unsigned log2) {
    static std::mutex mutex;
    static std::array<std::unique_ptr<Twiddles>, kMaxLog2 + 1> cache;
    const std::lock_guard<std::mutex> lock(mutex);
    std::unique_ptr<Twiddles>& slot = cache[log2];
    if (!slot) {
        // A primitive 2^log2-th root of unity: the generator to the power (p - 1) / 2^log2.
        const Word root = power_mod(kGenerator, (kModulus - 1) >> log2);
        const Word root_inverse = power_mod(root, (std::uint64_t{1} << log2) - 1);
        auto t = std::make_unique<Twiddles>();
        t->log2 = log2;
        t->forward = build_levels(log2, root);
        t->inverse = build_levels(log2, root_inverse);
        slot = std::move(t);
    }
    return *slot;
}

void expand_bits(Word* out, std::size_t length, const BitSource& source) noexcept {
    for (std::size_t k = 0; k < length; ++k) {
        const std::int64_t position = source.first + static_cast<std::int64_t>(k);
        const bool inside = k < source.count && position >= 0 && static_cast<std::uint64_t>(position) < source.total_bits;
        const auto at = static_cast<std::uint64_t>(position);
        out[k] = inside && ((static_cast<unsigned>(source.bytes[at / 8]) >> (7 - at % 8)) & 1U) != 0 ? source.one : 0;
    }
}

bool cpu_has_avx2() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    // libgcc's and compiler-rt's feature tests include the operating system's support for the
    // register state (XGETBV), not only the CPUID bit.
    return __builtin_cpu_supports("avx2") != 0;
#else
    return false;
#endif
}

bool cpu_has_avx512() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_cpu_supports("avx512f") != 0;
#else
    return false;
#endif
}

}  // namespace tfqkd::pp::ntt
