#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "base/bits.hpp"
#include "base/reader.hpp"
#include "base/writer.hpp"

namespace tfqkd {
namespace {

TEST(Reader, ReadsBigEndianAndNeverPastTheEnd) {
    const Bytes data{0x01, 0x02, 0x03, 0x04, 0x05};
    Reader r(data, "test");
    std::uint32_t v = 0;
    ASSERT_TRUE(r.u32("a", v));
    EXPECT_EQ(v, 0x01020304U);
    std::uint16_t w = 0xAAAA;
    EXPECT_FALSE(r.u16("b", w));
    EXPECT_EQ(w, 0xAAAA) << "a failed read leaves its output untouched";
    EXPECT_EQ(r.error().code, Errc::truncated);
    EXPECT_EQ(r.error().field, "b");
    EXPECT_EQ(r.error().offset, 4U);
    std::uint8_t x = 0;
    EXPECT_FALSE(r.u8("c", x)) << "errors are sticky";
    EXPECT_EQ(r.error().field, "b") << "the first error is kept";
}

TEST(Reader, BoundsAreCheckedWhereTheFieldIsRead) {
    const Bytes data{0x00, 0x11};
    Reader r(data, "test");
    std::uint16_t v = 0;
    EXPECT_FALSE(r.uint_in<std::uint16_t>("n", v, 1, 16));
    EXPECT_EQ(r.error().code, Errc::out_of_range);
    EXPECT_EQ(r.error().offset, 0U);
}

TEST(Reader, ExpectEndRejectsTrailingBytes) {
    const Bytes data{0x00, 0x01};
    Reader r(data, "test");
    std::uint8_t v = 0;
    ASSERT_TRUE(r.u8("a", v));
    EXPECT_FALSE(r.expect_end());
    EXPECT_EQ(r.error().code, Errc::trailing_data);
}

struct VarintCase {
    Bytes input;
    unsigned max_bytes;
    bool ok;
    std::uint64_t value;
    Errc code;
};

TEST(Reader, VarintIsCanonicalLeb128) {
    const std::vector<VarintCase> cases{
        {{0x00}, 10, true, 0, {}},
        {{0x7f}, 10, true, 127, {}},
        {{0x80, 0x01}, 10, true, 128, {}},
        {{0xe5, 0x8e, 0x26}, 10, true, 624485, {}},
        {{0x80, 0x00}, 10, false, 0, Errc::non_canonical},       // zero written in two bytes
        {{0xff, 0x80, 0x00}, 10, false, 0, Errc::non_canonical}, // trailing zero group
        {{0x80}, 10, false, 0, Errc::truncated},
        {{0x80, 0x80, 0x01}, 2, false, 0, Errc::out_of_range},   // longer than the field allows
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10, true, ~0ULL, {}},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, 10, false, 0, Errc::out_of_range},
        {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 10, false, 0, Errc::out_of_range},
    };
    for (const auto& c : cases) {
        Reader r(c.input, "test");
        std::uint64_t v = 0;
        const bool ok = r.varint("v", v, c.max_bytes);
        ASSERT_EQ(ok, c.ok) << to_hex(c.input);
        if (ok) {
            EXPECT_EQ(v, c.value) << to_hex(c.input);
            EXPECT_EQ(r.remaining(), 0U);
        } else {
            EXPECT_EQ(r.error().code, c.code) << to_hex(c.input);
        }
    }
}

RC_GTEST_PROP(Varint, WriterAndReaderAgreeOnEveryValue, (std::uint64_t value)) {
    Bytes out;
    Writer w(out, "test");
    w.varint(value);
    RC_ASSERT(out.size() == std::max<std::size_t>(1, (static_cast<std::size_t>(std::bit_width(value)) + 6) / 7));
    Reader r(out, "test");
    std::uint64_t back = 0;
    RC_ASSERT(r.varint("v", back));
    RC_ASSERT(back == value);
    RC_ASSERT(r.remaining() == 0U);
}

TEST(Reader, F64RejectsNanInfinityAndNegativeZero) {
    const auto encode = [](double v) {
        Bytes out;
        Writer w(out, "test");
        w.f64(v);
        return out;
    };
    const auto read = [](const Bytes& b, double& v) {
        Reader r(b, "test");
        const bool ok = r.f64_in("x", v, 0.0, 1.0);
        return ok ? std::optional<Errc>() : std::optional<Errc>(r.error().code);
    };
    double v = -1;
    EXPECT_FALSE(read(encode(0.5), v).has_value());
    EXPECT_EQ(v, 0.5);
    EXPECT_EQ(read(encode(std::numeric_limits<double>::quiet_NaN()), v), Errc::invalid_value);
    EXPECT_EQ(read(encode(std::numeric_limits<double>::infinity()), v), Errc::invalid_value);
    EXPECT_EQ(read(encode(-0.0), v), Errc::non_canonical);
    EXPECT_EQ(read(encode(1.5), v), Errc::out_of_range);
}

TEST(Writer, BackFillsLengthPrefixesAndStopsAtTheFirstError) {
    Bytes out;
    Writer w(out, "test");
    auto len = w.open_length("body", 2, 4);
    w.bytes(Bytes{1, 2, 3});
    w.close_length(len);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(out, (Bytes{0x00, 0x03, 1, 2, 3}));

    auto too_long = w.open_length("body2", 1, 2);
    w.bytes(Bytes{1, 2, 3});
    w.close_length(too_long);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.status().error().field, "body2");
    const std::size_t size = out.size();
    w.u32(5);
    EXPECT_EQ(out.size(), size) << "writes after an error are ignored";
}

TEST(PackedBits, MostSignificantBitFirstWithZeroPadding) {
    PackedBits bits;
    for (bool b : {true, false, true, true, false, false, false, false, true}) bits.push_back(b);
    EXPECT_EQ(bits.size(), 9U);
    EXPECT_EQ(to_hex(bits.bytes()), "b080");
    EXPECT_EQ(bits.popcount(), 4U);
    bits.resize(3);
    EXPECT_EQ(to_hex(bits.bytes()), "a0") << "shrinking clears the padding";
}

TEST(PackedBits, ReadRejectsSetPaddingAndShortInput) {
    const Bytes ok{0xb0, 0x80};
    const Bytes padded{0xb0, 0x81};
    PackedBits bits;
    {
        Reader r(ok, "test");
        ASSERT_TRUE(PackedBits::read(r, "bits", 9, bits));
        EXPECT_TRUE(bits.get(0));
        EXPECT_TRUE(bits.get(8));
        EXPECT_FALSE(bits.get(7));
    }
    {
        Reader r(padded, "test");
        EXPECT_FALSE(PackedBits::read(r, "bits", 9, bits));
        EXPECT_EQ(r.error().code, Errc::non_canonical);
        EXPECT_EQ(r.error().offset, 1U);
    }
    {
        Reader r(ok, "test");
        EXPECT_FALSE(PackedBits::read(r, "bits", 17, bits));
        EXPECT_EQ(r.error().code, Errc::truncated);
    }
}

}  // namespace
}  // namespace tfqkd
