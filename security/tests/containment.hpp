// The containment check every family's tests share: the certified length at the default precision
// and the same formula at 1000 bits. The interval must contain the precise enclosure, the certified
// bits lie at or below it, and the enclosure is far narrower than one bit.
#pragma once

#include <gtest/gtest.h>

#include "security/interval.hpp"
#include "security/sns.hpp"

namespace tfqkd::security::testing {

// `certify` is called twice, at the default precision and at 1000 bits, and returns a
// Result<KeyLength>. Returns the default-precision result for further checks.
template <class Certify>
KeyLength expect_contains_1000_bit_evaluation(const Certify& certify) {
    auto k = certify();
    EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error().to_string());
    if (!k.ok()) return {};
    Interval reference;
    {
        PrecisionGuard guard(1000);
        auto precise = certify();
        EXPECT_TRUE(precise.ok());
        if (!precise.ok()) return {};
        reference = precise->length;
    }
    EXPECT_TRUE(contains(k->length, reference));
    EXPECT_LE(static_cast<double>(k->bits), lo(reference));
    EXPECT_LT(width(k->length), 1e-6) << "far narrower than one bit";
    return *k;
}

}  // namespace tfqkd::security::testing
