// Helpers shared by the unit tests of the message codecs (protocol/tests/unit/*_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <utility>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

// Decodes the payload `hex` as a message M. Hex that does not parse is a mistake in the test: it
// fails the test (without ending it) and comes back as the error.
template <WireMessage M>
Result<M> decode_hex(std::string_view hex) {
    auto bytes = from_hex(hex);
    EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
    if (!bytes.ok()) return std::move(bytes).error();
    return decode_payload<M>(*bytes);
}

// Expects `result` to be the error `code` of message `message`, naming `field` at byte `offset`.
template <class T>
void expect_error_of(std::string_view message, const Result<T>& result, Errc code, std::string_view field,
                     std::uint64_t offset) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, code) << result.error().to_string();
    EXPECT_EQ(result.error().message, message) << result.error().to_string();
    EXPECT_EQ(result.error().field, field) << result.error().to_string();
    EXPECT_EQ(result.error().offset, offset) << result.error().to_string();
}

// Expects decoding to have failed with `code`, naming M, `field` and `offset`.
template <WireMessage M>
void expect_error(const Result<M>& result, Errc code, std::string_view field, std::uint64_t offset) {
    expect_error_of(M::kName, result, code, field, offset);
}

// Expects encoding `message` to fail with `code`, naming M, `field` and `offset` (the writer's
// offset when it refused).
template <WireMessage M>
void expect_encode_error(const M& message, Errc code, std::string_view field, std::uint64_t offset) {
    expect_error_of(M::kName, encode_payload(message), code, field, offset);
}

}  // namespace tfqkd::wire
