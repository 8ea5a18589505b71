// Privacy amplification: the transform-based and carry-less Toeplitz products against the definition
// and against each other.
#include "protocol/postprocessing/toeplitz.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "base/rng.hpp"

namespace tfqkd::pp {
namespace {

PackedBits random_bits(std::uint64_t size, CounterRng& rng) {
    PackedBits bits(size);
    for (std::uint64_t i = 0; i < size; ++i) bits.set(i, (rng.next() & 1U) != 0);
    return bits;
}

// y[i] = XOR over j of T[i][j] x[j], T[i][j] = seed[i - j + n - 1]: the definition in the header,
// one matrix entry at a time.
std::vector<bool> naive_toeplitz(const PackedBits& seed, const PackedBits& x, std::uint64_t output_bits) {
    const std::uint64_t n = x.size();
    std::vector<bool> y(output_bits, false);
    for (std::uint64_t i = 0; i < output_bits; ++i) {
        bool parity = false;
        for (std::uint64_t j = 0; j < n; ++j) parity ^= seed.get(i - j + n - 1) && x.get(j);
        y[i] = parity;
    }
    return y;
}

std::vector<NttPath> supported_paths() {
    std::vector<NttPath> paths;
    for (NttPath p : {NttPath::scalar, NttPath::avx2, NttPath::avx512, NttPath::clmul, NttPath::clmul_avx512})
        if (ntt_path_supported(p)) paths.push_back(p);
    return paths;
}

std::vector<NttPath> clmul_paths() {
    std::vector<NttPath> paths;
    for (NttPath p : {NttPath::clmul, NttPath::clmul_avx512})
        if (ntt_path_supported(p)) paths.push_back(p);
    return paths;
}

void expect_matches_naive(std::uint64_t n, std::uint64_t l, std::uint64_t seed_value, ToeplitzOptions options) {
    CounterRng rng(seed_value, n * 1000003 + l);
    const PackedBits x = random_bits(n, rng);
    const PackedBits seed = random_bits(n + l - 1, rng);
    const std::vector<bool> expected = naive_toeplitz(seed, x, l);
    Result<SecretBits> y = toeplitz_hash(seed, SecretBits::copy_of(x), l, options);
    ASSERT_TRUE(y.ok()) << y.error().to_string();
    ASSERT_EQ(y->size(), l);
    for (std::uint64_t i = 0; i < l; ++i)
        ASSERT_EQ(y->get(i), expected[i]) << "n=" << n << " l=" << l << " bit " << i << " path "
                                          << ntt_path_name(options.path) << " max 2^" << options.max_transform_log2;
    // Padding bits of the last byte are zero, as in PackedBits.
    if (l % 8 != 0) {
        EXPECT_EQ(y->reveal().back() & (0xFFU >> (l % 8)), 0U);
    }
}

TEST(Toeplitz, EqualsTheNaiveProductOnEdgeSizes) {
    const std::uint64_t sizes[][2] = {{1, 1},   {2, 1},   {2, 2},   {7, 3},    {8, 8},     {31, 1},
                                      {32, 32}, {33, 17}, {63, 2},  {64, 64},  {65, 64},   {100, 1},
                                      {127, 127}, {128, 1}, {129, 129}, {1000, 999}, {1000, 24}};
    for (NttPath path : supported_paths())
        for (const auto& size : sizes) expect_matches_naive(size[0], size[1], 1, {path, 27});
}

TEST(Toeplitz, EqualsTheNaiveProductOnRandomSizes) {
    CounterRng sizes(2024);
    for (int trial = 0; trial < 60; ++trial) {
        const std::uint64_t n = 1 + sizes.below(700);
        const std::uint64_t l = 1 + sizes.below(n);
        for (NttPath path : supported_paths()) expect_matches_naive(n, l, 100 + static_cast<std::uint64_t>(trial), {path, 27});
    }
}

// A 64-word transform limit forces products of several row and column blocks.
TEST(Toeplitz, BlockedProductEqualsTheNaiveProduct) {
    const std::uint64_t sizes[][2] = {{40, 30}, {65, 1}, {100, 100}, {300, 17}, {301, 150}, {777, 555}, {1024, 1}};
    for (NttPath path : supported_paths())
        for (const auto& size : sizes) expect_matches_naive(size[0], size[1], 7, {path, 6});
    CounterRng sizes_rng(99);
    for (int trial = 0; trial < 20; ++trial) {
        const std::uint64_t n = 1 + sizes_rng.below(900);
        const std::uint64_t l = 1 + sizes_rng.below(n);
        const unsigned max_log2 = 6 + static_cast<unsigned>(sizes_rng.below(4));
        expect_matches_naive(n, l, 300 + static_cast<std::uint64_t>(trial), {NttPath::automatic, max_log2});
    }
}

// Blocks large enough for the radix-8 passes (2^14 words), whose first pass reads the bits of the
// input and of seed windows that start at unaligned and negative offsets.
TEST(Toeplitz, BlockedProductWithRadix8PassesEqualsTheNaiveProduct) {
    const std::uint64_t sizes[][2] = {{9000, 101}, {10000, 6400}, {12001, 4500}};
    for (NttPath path : supported_paths())
        for (const auto& size : sizes) expect_matches_naive(size[0], size[1], 11, {path, 14});
}

// Large blocks: every supported path gives the same bits, and sampled rows equal the definition.
TEST(Toeplitz, PathsAgreeOnLargeBlocks) {
    const std::uint64_t n = (1U << 20) + 12345;
    const std::uint64_t l = 600001;
    CounterRng rng(5);
    const PackedBits x = random_bits(n, rng);
    const PackedBits seed = random_bits(n + l - 1, rng);
    const SecretBits key = SecretBits::copy_of(x);
    Result<SecretBits> reference = toeplitz_hash(seed, key, l, {NttPath::scalar, 27});
    ASSERT_TRUE(reference.ok());
    for (NttPath path : supported_paths()) {
        Result<SecretBits> y = toeplitz_hash(seed, key, l, {path, 27});
        ASSERT_TRUE(y.ok());
        EXPECT_TRUE(constant_time_equal(y->reveal(), reference->reveal())) << ntt_path_name(path);
        // And cut into blocks.
        Result<SecretBits> blocked = toeplitz_hash(seed, key, l, {path, 19});
        ASSERT_TRUE(blocked.ok());
        EXPECT_TRUE(constant_time_equal(blocked->reveal(), reference->reveal())) << ntt_path_name(path) << " blocked";
    }
    for (std::uint64_t i : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{77777}, l / 2, l - 2, l - 1}) {
        bool parity = false;
        for (std::uint64_t j = 0; j < n; ++j) parity ^= seed.get(i - j + n - 1) && x.get(j);
        EXPECT_EQ(reference->get(i), parity) << "row " << i;
    }
}

// The carry-less paths: sizes around the word (64 bits) and base-case (16 and 32 words) boundaries,
// l = 1 and l = n, products with one and with several input chunks and Karatsuba levels.
TEST(Toeplitz, ClmulEqualsTheNaiveProduct) {
    const std::uint64_t sizes[][2] = {{1, 1},       {2, 1},       {3, 3},       {63, 63},     {64, 1},
                                      {64, 64},     {65, 65},     {65, 1},      {127, 64},    {128, 128},
                                      {129, 1},     {1023, 1023}, {1024, 1},    {1025, 513},  {2047, 2047},
                                      {2048, 2048}, {2049, 1},    {2113, 2000}, {4100, 3000}, {6000, 64},
                                      {6000, 65},   {7000, 7000}, {9000, 640},  {9001, 2047}, {5000, 1}};
    for (NttPath path : clmul_paths())
        for (const auto& size : sizes) expect_matches_naive(size[0], size[1], 21, {path, 27});
    CounterRng sizes_rng(31);
    for (int trial = 0; trial < 40; ++trial) {
        const std::uint64_t n = 1 + sizes_rng.below(trial < 30 ? 700 : 6000);
        const std::uint64_t l = 1 + sizes_rng.below(n);
        for (NttPath path : clmul_paths()) expect_matches_naive(n, l, 500 + static_cast<std::uint64_t>(trial), {path, 27});
    }
}

// Against the transform on sizes where the naive product is too slow: several Karatsuba levels,
// many input chunks (l << n) and one (l = n), up to 10^7 bits.
TEST(Toeplitz, ClmulEqualsTheTransform) {
    const std::uint64_t sizes[][2] = {{100'000, 1},         {100'000, 100'000},   {262'145, 26'000},
                                      {1'000'003, 100'001}, {1'000'000, 500'000}, {1'048'576, 1'048'576},
                                      {10'000'000, 1'000'000}, {10'000'001, 5'000'000}};
    for (const auto& size : sizes) {
        const std::uint64_t n = size[0];
        const std::uint64_t l = size[1];
        CounterRng rng(41, n + l);
        const PackedBits x = random_bits(n, rng);
        const PackedBits seed = random_bits(n + l - 1, rng);
        const SecretBits key = SecretBits::copy_of(x);
        Result<SecretBits> reference = toeplitz_hash(seed, key, l, {ntt_path_supported(NttPath::avx512) ? NttPath::avx512 : NttPath::scalar, 27});
        ASSERT_TRUE(reference.ok());
        for (NttPath path : clmul_paths()) {
            Result<SecretBits> y = toeplitz_hash(seed, key, l, {path, 27});
            ASSERT_TRUE(y.ok());
            EXPECT_TRUE(constant_time_equal(y->reveal(), reference->reveal()))
                << ntt_path_name(path) << " n=" << n << " l=" << l;
        }
        // And a few rows against the definition, the first and last among them.
        for (std::uint64_t i : {std::uint64_t{0}, l / 3, l - 1}) {
            bool parity = false;
            for (std::uint64_t j = 0; j < n; ++j) parity ^= seed.get(i - j + n - 1) && x.get(j);
            EXPECT_EQ(reference->get(i), parity) << "n=" << n << " row " << i;
        }
    }
}

// The comparisons above can fail: a product with the index off by one (seed[i - j + n - 2] or
// seed[i - j + n]), or transposed (seed[j - i + l - 1]), differs from every path's output.
TEST(Toeplitz, ComparisonsCatchAWrongIndex) {
    const std::uint64_t n = 300;
    const std::uint64_t l = 100;
    CounterRng rng(51);
    const PackedBits x = random_bits(n, rng);
    const PackedBits seed = random_bits(n + l - 1, rng);
    const auto wrong = [&](auto index) {
        std::vector<bool> y(l, false);
        for (std::uint64_t i = 0; i < l; ++i)
            for (std::uint64_t j = 0; j < n; ++j) {
                const std::int64_t k = index(static_cast<std::int64_t>(i), static_cast<std::int64_t>(j));
                if (k >= 0 && static_cast<std::uint64_t>(k) < seed.size()) y[i] = y[i] != (seed.get(static_cast<std::uint64_t>(k)) && x.get(j));
            }
        return y;
    };
    const auto sn = static_cast<std::int64_t>(n);
    const auto sl = static_cast<std::int64_t>(l);
    const std::vector<std::vector<bool>> wrong_products = {
        wrong([&](std::int64_t i, std::int64_t j) { return i - j + sn - 2; }),
        wrong([&](std::int64_t i, std::int64_t j) { return i - j + sn; }),
        wrong([&](std::int64_t i, std::int64_t j) { return j - i + sl - 1; }),
    };
    const std::vector<bool> right = naive_toeplitz(seed, x, l);
    for (NttPath path : supported_paths()) {
        Result<SecretBits> y = toeplitz_hash(seed, SecretBits::copy_of(x), l, {path, 27});
        ASSERT_TRUE(y.ok());
        std::vector<bool> bits(l);
        for (std::uint64_t i = 0; i < l; ++i) bits[i] = y->get(i);
        EXPECT_EQ(bits, right) << ntt_path_name(path);
        for (const auto& w : wrong_products) EXPECT_NE(bits, w) << ntt_path_name(path);
    }
}

TEST(Toeplitz, AutomaticPicksTheCarrylessPathWhenTheCpuHasIt) {
    const NttPath best = ntt_best_path();
    if (ntt_path_supported(NttPath::clmul_avx512)) {
        EXPECT_EQ(best, NttPath::clmul_avx512);
    } else if (ntt_path_supported(NttPath::clmul)) {
        EXPECT_EQ(best, NttPath::clmul);
    }
    EXPECT_EQ(ToeplitzHasher().path(), best);
    // By size: the carry-less product up to 10^7 bits, the transform at 10^8 (docs/postprocessing.md).
    if (ntt_path_supported(NttPath::clmul_avx512) && ntt_path_supported(NttPath::avx512)) {
        const ToeplitzHasher hasher;
        EXPECT_EQ(hasher.path_for(1000, 100), NttPath::clmul_avx512);
        EXPECT_EQ(hasher.path_for(10'000'000, 1'000'000), NttPath::clmul_avx512);
        EXPECT_EQ(hasher.path_for(10'000'000, 5'000'000), NttPath::clmul_avx512);
        EXPECT_EQ(hasher.path_for(100'000'000, 50'000'000), NttPath::avx512);
        EXPECT_EQ(ToeplitzHasher({NttPath::clmul_avx512, 27}).path_for(100'000'000, 50'000'000), NttPath::clmul_avx512);
    }
    EXPECT_EQ(ntt_path_name(NttPath::clmul), "clmul");
    EXPECT_EQ(ntt_path_name(NttPath::clmul_avx512), "clmul_avx512");
}

TEST(Toeplitz, HasherIsReusableAcrossSizes) {
    ToeplitzHasher hasher;
    CounterRng rng(8);
    for (std::uint64_t n : {500U, 70U, 3000U, 1U}) {
        const std::uint64_t l = (n + 1) / 2;
        const PackedBits x = random_bits(n, rng);
        const PackedBits seed = random_bits(n + l - 1, rng);
        Result<SecretBits> y = hasher.hash(seed, SecretBits::copy_of(x), l);
        ASSERT_TRUE(y.ok());
        const std::vector<bool> expected = naive_toeplitz(seed, x, l);
        for (std::uint64_t i = 0; i < l; ++i) ASSERT_EQ(y->get(i), expected[i]) << n;
    }
}

TEST(Toeplitz, BadParametersNameTheField) {
    CounterRng rng(9);
    const SecretBits x = SecretBits::copy_of(random_bits(100, rng));
    const auto expect_error = [](const Result<SecretBits>& r, Errc code, std::string_view field) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, code);
        EXPECT_EQ(r.error().message, "privacy_amplification");
        EXPECT_EQ(r.error().field, field);
    };
    expect_error(toeplitz_hash(random_bits(100 + 101 - 1, rng), x, 101), Errc::out_of_range, "output_bits");
    expect_error(toeplitz_hash(random_bits(99, rng), x, 0), Errc::out_of_range, "output_bits");
    expect_error(toeplitz_hash(random_bits(100 + 10, rng), x, 10), Errc::length_mismatch, "seed");
    expect_error(toeplitz_hash(random_bits(100 + 8, rng), x, 10), Errc::length_mismatch, "seed");
    expect_error(toeplitz_hash(PackedBits(0), SecretBits(), 1), Errc::out_of_range, "input");
    expect_error(toeplitz_hash(random_bits(109, rng), x, 10, {NttPath::automatic, 5}), Errc::invalid_argument,
                 "max_transform_log2");
    expect_error(toeplitz_hash(random_bits(109, rng), x, 10, {NttPath::automatic, 28}), Errc::invalid_argument,
                 "max_transform_log2");
    for (NttPath path : {NttPath::avx2, NttPath::avx512, NttPath::clmul, NttPath::clmul_avx512}) {
        if (!ntt_path_supported(path)) {
            expect_error(toeplitz_hash(random_bits(109, rng), x, 10, {path, 27}), Errc::invalid_argument, "path");
        }
    }
}

}  // namespace
}  // namespace tfqkd::pp
