// The number-theoretic transform itself (an internal header of protocol/).
#include "postprocessing/ntt.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "base/rng.hpp"

namespace tfqkd::pp::ntt {
namespace {

std::uint64_t power_mod(std::uint64_t base, std::uint64_t exponent) {
    std::uint64_t result = 1;
    for (base %= kModulus; exponent > 0; exponent >>= 1, base = base * base % kModulus)
        if ((exponent & 1U) != 0) result = result * base % kModulus;
    return result;
}

TEST(Ntt, ModulusAndGeneratorAreWhatTheCommentsSay) {
    EXPECT_EQ(kModulus, 15U * (1U << 27) + 1U);
    // 31 generates the group: no power (p - 1) / q is 1 for the prime factors q of p - 1 = 2^27 3 5.
    for (std::uint64_t q : {2U, 3U, 5U}) EXPECT_NE(power_mod(kGenerator, (kModulus - 1) / q), 1U) << q;
    // Montgomery multiplication against 128-bit arithmetic.
    CounterRng rng(1);
    const std::uint64_t r_inverse = power_mod(power_mod(2, 32), kModulus - 2);
    for (int i = 0; i < 10000; ++i) {
        const auto a = static_cast<Word>(rng.below(2ULL * kModulus));
        const auto b = static_cast<Word>(rng.below(kModulus));
        const std::uint64_t expected = (a % kModulus) * std::uint64_t{b} % kModulus * r_inverse % kModulus;
        ASSERT_EQ(montgomery_multiply(a, b), expected) << a << " " << b;
    }
}

std::vector<const Kernels*> supported_kernels() {
    std::vector<const Kernels*> k{&scalar_kernels()};
#if defined(TFQKD_NTT_X86)
    if (cpu_has_avx2()) k.push_back(&avx2_kernels());
    if (cpu_has_avx512()) k.push_back(&avx512_kernels());
#endif
    return k;
}

// The forward transform, in bit-reversed order, against the definition X[k] = sum_j a_j w^(jk).
TEST(Ntt, ForwardTransformIsTheDefinitionInBitReversedOrder) {
    for (unsigned log2 : {6U, 7U, 9U}) {
        const std::size_t n = std::size_t{1} << log2;
        const std::uint64_t root = power_mod(kGenerator, (kModulus - 1) >> log2);
        CounterRng rng(log2);
        std::vector<Word> input(n);
        for (Word& w : input) w = static_cast<Word>(rng.below(kModulus));
        for (const Kernels* kernels : supported_kernels()) {
            std::vector<Word> a = input;
            kernels->forward(a.data(), twiddles(log2));
            for (std::size_t k = 0; k < n; ++k) {
                std::uint64_t sum = 0;
                for (std::size_t j = 0; j < n; ++j) sum = (sum + input[j] * power_mod(root, j * k)) % kModulus;
                std::size_t reversed = 0;
                for (unsigned b = 0; b < log2; ++b) reversed |= ((k >> b) & 1U) << (log2 - 1 - b);
                ASSERT_EQ(a[reversed], sum) << kernels->name << " N=" << n << " k=" << k;
            }
        }
    }
}

// Inverse after forward is N times the identity, on every path and at sizes that use the radix-8
// passes; all paths give the same words; inverse_parities gives their parities and wipes the array.
TEST(Ntt, RoundTripAndPathsAgree) {
    for (unsigned log2 : {6U, 13U, 14U, 16U, 19U}) {
        const std::size_t n = std::size_t{1} << log2;
        CounterRng rng(log2 + 100);
        std::vector<Word> input(n);
        for (Word& w : input) w = static_cast<Word>(rng.below(kModulus));
        std::vector<Word> reference = input;
        scalar_kernels().forward(reference.data(), twiddles(log2));
        for (const Kernels* kernels : supported_kernels()) {
            std::vector<Word> a = input;
            kernels->forward(a.data(), twiddles(log2));
            ASSERT_EQ(a, reference) << kernels->name << " N=" << n;
            std::vector<Word> b = a;
            kernels->inverse(a.data(), twiddles(log2));
            for (std::size_t i = 0; i < n; ++i)
                ASSERT_EQ(a[i], input[i] * std::uint64_t{n} % kModulus) << kernels->name << " N=" << n << " i=" << i;
            // inverse_parities: the same words' parities from bit offset 5 on (an unaligned sink), and
            // the array left zero.
            std::vector<unsigned char> bits((n - 5 + 7) / 8, 0);
            kernels->inverse_parities(b.data(), twiddles(log2), ParitySink{bits.data(), 5, n - 5});
            for (std::size_t i = 0; i < n - 5; ++i)
                ASSERT_EQ((static_cast<unsigned>(bits[i / 8]) >> (7 - i % 8)) & 1U, a[5 + i] & 1U) << kernels->name << " N=" << n << " bit " << i;
            ASSERT_TRUE(std::all_of(b.begin(), b.end(), [](Word w) { return w == 0; })) << kernels->name << " N=" << n;
        }
    }
}

// The fused reads of bits: forward_bits and convolve_bits give the words of expand_bits followed by
// forward and convolve (and convolve_bits_parities their parities, wiping both arrays), on every path, for sources that start before, inside and past the bits,
// at unaligned bit offsets, with fewer words than the transform and ending inside a vector; at sizes
// done in cache (2^6, 2^13) and with radix-8 passes (2^14, 2^16).
TEST(Ntt, TransformsOfBitsEqualTransformsOfExpandedWords) {
    CounterRng rng(77);
    std::vector<unsigned char> bytes(5000);
    for (unsigned char& b : bytes) b = static_cast<unsigned char>(rng.below(256));
    const std::uint64_t total_bits = 8 * bytes.size() - 3;  // the last byte's low bits lie outside
    for (unsigned log2 : {6U, 13U, 14U, 16U}) {
        const std::size_t length = std::size_t{1} << log2;
        std::vector<Word> b_hat(length);
        for (Word& w : b_hat) w = static_cast<Word>(rng.below(kModulus));
        const std::int64_t firsts[] = {0, 5, -3, -static_cast<std::int64_t>(length / 3), 12345, 39900, 40001};
        for (const std::int64_t first : firsts) {
            for (const std::size_t count : {length, length - 1, length / 2 + 7, std::size_t{1}, std::size_t{0}}) {
                const BitSource source{bytes.data(), total_bits, first, count, 123456789U};
                std::vector<Word> expected(length);
                expand_bits(expected.data(), length, source);
                std::vector<Word> expected_convolution = expected;
                scalar_kernels().forward(expected.data(), twiddles(log2));
                scalar_kernels().convolve(expected_convolution.data(), b_hat.data(), twiddles(log2));
                for (const Kernels* kernels : supported_kernels()) {
                    std::vector<Word> a(length, 0xDEADBEEFU);  // not initialised by the caller
                    kernels->forward_bits(a.data(), source, twiddles(log2));
                    ASSERT_EQ(a, expected) << kernels->name << " N=" << length << " first=" << first << " count=" << count;
                    std::fill(a.begin(), a.end(), 0xDEADBEEFU);
                    kernels->convolve_bits(a.data(), source, b_hat.data(), twiddles(log2));
                    ASSERT_EQ(a, expected_convolution)
                        << kernels->name << " N=" << length << " first=" << first << " count=" << count;
                    // The parities of the convolution, at aligned and unaligned output offsets, and
                    // both arrays left zero.
                    const std::size_t sinks[][2] = {{0, length}, {3, length - 3}, {length / 3 + 5, 17}, {length - 1, 1}};
                    for (const auto& window : sinks) {
                        std::vector<unsigned char> bits((window[1] + 7) / 8 + 1, 0);
                        std::vector<Word> b_copy = b_hat;
                        std::fill(a.begin(), a.end(), 0xDEADBEEFU);
                        kernels->convolve_bits_parities(a.data(), source, b_copy.data(), twiddles(log2),
                                                        ParitySink{bits.data(), window[0], window[1]});
                        for (std::size_t i = 0; i < window[1]; ++i)
                            ASSERT_EQ((static_cast<unsigned>(bits[i / 8]) >> (7 - i % 8)) & 1U, expected_convolution[window[0] + i] & 1U)
                                << kernels->name << " N=" << length << " first=" << first << " count=" << count
                                << " sink at " << window[0] << " bit " << i;
                        for (std::size_t i = window[1]; i < 8 * bits.size(); ++i)
                            ASSERT_EQ((static_cast<unsigned>(bits[i / 8]) >> (7 - i % 8)) & 1U, 0U) << "bit past the sink " << i;
                        ASSERT_TRUE(std::all_of(a.begin(), a.end(), [](Word w) { return w == 0; })) << kernels->name;
                        ASSERT_TRUE(std::all_of(b_copy.begin(), b_copy.end(), [](Word w) { return w == 0; })) << kernels->name;
                    }
                }
            }
        }
    }
    // expand_bits itself against the bit definition.
    std::vector<Word> words(40);
    expand_bits(words.data(), words.size(), BitSource{bytes.data(), 20, -4, 30, 9U});
    for (std::size_t k = 0; k < words.size(); ++k) {
        const std::int64_t position = static_cast<std::int64_t>(k) - 4;
        const bool set = k < 30 && position >= 0 && position < 20 &&
                         ((static_cast<unsigned>(bytes[static_cast<std::size_t>(position) / 8]) >> (7 - position % 8)) & 1U) != 0;
        EXPECT_EQ(words[k], set ? 9U : 0U) << k;
    }
}

}  // namespace
}  // namespace tfqkd::pp::ntt
