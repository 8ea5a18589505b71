// The codec properties of docs/wire-format.md, checked for every message of the catalogue
// (the type list comes from TFQKD_WIRE_MESSAGES, so a new message is covered when it is added):
//  - WF-ENC-6: decode(encode(m)) == m for generated valid messages;
//  - WF-ENC-6: encode(decode(b)) == b for every accepted byte string, including mutated ones;
//  - WF-ENC-5: every strict prefix of a valid payload is rejected as truncated, naming the message;
//  - mutated inputs never crash and either are rejected or decode to a valid message.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "arbitrary/all.hpp"
#include "protocol/wire/messages.hpp"

namespace tfqkd::wire {
namespace {

template <class List>
struct GTestTypes;
template <class... Ms>
struct GTestTypes<TypeList<Ms...>> {
    using type = ::testing::Types<Ms...>;
};

template <class M>
class CodecProperties : public ::testing::Test {};
TYPED_TEST_SUITE(CodecProperties, GTestTypes<AllMessages>::type);

// Applies one random edit to a byte string: flip a bit, set a byte, insert, erase, or cut.
Bytes mutate(Bytes bytes) {
    const int kind = *rc::gen::inRange(0, 5);
    if (bytes.empty() && kind != 2) return Bytes{*rc::gen::arbitrary<Byte>()};
    const std::size_t at = *rc::gen::inRange<std::size_t>(0, bytes.size());
    switch (kind) {
        case 0: bytes[at] = static_cast<Byte>(bytes[at] ^ (1U << *rc::gen::inRange(0, 8))); break;
        case 1: bytes[at] = *rc::gen::arbitrary<Byte>(); break;
        case 2: bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), *rc::gen::arbitrary<Byte>()); break;
        case 3: bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at)); break;
        default: bytes.resize(at); break;
    }
    return bytes;
}

TYPED_TEST(CodecProperties, DecodeInvertsEncode) {
    using M = TypeParam;
    EXPECT_TRUE(rc::check(std::string(M::kName) + ": decode(encode(m)) == m", [](const M& m) {
        Result<Bytes> bytes = encode_payload(m);
        RC_ASSERT(bytes.ok());
        Result<M> back = decode_payload<M>(*bytes);
        RC_ASSERT(back.ok());
        RC_ASSERT(*back == m);
    }));
}

TYPED_TEST(CodecProperties, EveryStrictPrefixIsTruncated) {
    using M = TypeParam;
    EXPECT_TRUE(rc::check(std::string(M::kName) + ": strict prefixes rejected", [](const M& m) {
        Result<Bytes> bytes = encode_payload(m);
        RC_ASSERT(bytes.ok());
        for (std::size_t n = 0; n < bytes->size(); ++n) {
            Result<M> cut = decode_payload<M>(ByteSpan(*bytes).first(n));
            RC_ASSERT(!cut.ok());
            RC_ASSERT(cut.error().code == Errc::truncated);
            RC_ASSERT(cut.error().message == M::kName);
            RC_ASSERT(!cut.error().field.empty());
        }
    }));
}

TYPED_TEST(CodecProperties, MutationsAreRejectedOrCanonical) {
    using M = TypeParam;
    EXPECT_TRUE(rc::check(std::string(M::kName) + ": mutated inputs", [](const M& m) {
        Result<Bytes> bytes = encode_payload(m);
        RC_ASSERT(bytes.ok());
        Bytes input = *bytes;
        const int edits = *rc::gen::inRange(1, 4);
        for (int i = 0; i < edits; ++i) input = mutate(std::move(input));
        Result<M> decoded = decode_payload<M>(input);
        if (!decoded.ok()) {
            RC_ASSERT(decoded.error().message == M::kName);
            RC_TAG("rejected");
            return;
        }
        RC_TAG("accepted");
        Result<Bytes> again = encode_payload(*decoded);
        RC_ASSERT(again.ok());
        RC_ASSERT(*again == input);
    }));
}

TYPED_TEST(CodecProperties, DispatchByTypeAgreesWithTheTypedCodec) {
    using M = TypeParam;
    EXPECT_TRUE(rc::check(std::string(M::kName) + ": decode_message", [](const M& m) {
        Result<Bytes> bytes = encode_payload(m);
        RC_ASSERT(bytes.ok());
        Result<Message> any = decode_message(M::kType, *bytes);
        RC_ASSERT(any.ok());
        RC_ASSERT(std::holds_alternative<M>(*any));
        RC_ASSERT(std::get<M>(*any) == m);
        RC_ASSERT(type_of(*any) == M::kType);
        Result<Bytes> again = encode_message(*any);
        RC_ASSERT(again.ok());
        RC_ASSERT(*again == *bytes);
    }));
}

}  // namespace
}  // namespace tfqkd::wire
