// An appending byte writer with a sticky error, in the style of BoringSSL's CBB.
//
// Contract:
//  - writes append to the Bytes it was given; integers are big-endian, varints canonical LEB128,
//    f64 the binary64 bit pattern (docs/wire-format.md, WF-ENC-1..3);
//  - a length prefix can be opened before its contents are known and is back-filled when closed;
//    if the contents exceed the prefix's maximum, the writer records an error;
//  - after the first error every write is ignored and status() reports that error.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace tfqkd {

class Writer {
public:
    Writer(Bytes& out, std::string_view message) noexcept : out_(out), message_(message) {}

    void u8(std::uint8_t v) { fixed(v); }
    void u16(std::uint16_t v) { fixed(v); }
    void u32(std::uint32_t v) { fixed(v); }
    void u64(std::uint64_t v) { fixed(v); }
    void varint(std::uint64_t v);
    void f64(double v);
    void bytes(ByteSpan data);

    // A back-filled length prefix: note where it is, write the contents, then close it.
    struct LengthPrefix {
        std::size_t at;     // where the prefix is
        unsigned width;     // 1, 2 or 4 bytes
        std::uint64_t max;  // largest length the spec allows
        std::string_view field;
    };
    LengthPrefix open_length(std::string_view field, unsigned width, std::uint64_t max);
    void close_length(const LengthPrefix& prefix);

    void fail(std::string_view field, Errc code, std::string detail = {});
    bool ok() const noexcept { return !error_.has_value(); }
    Status status() const { return error_ ? Status(*error_) : Status(); }
    std::size_t size() const noexcept { return out_.size(); }

private:
    template <class T>
    void fixed(T v) {
        if (error_) return;
        for (std::size_t i = sizeof(T); i-- > 0;) out_.push_back(static_cast<Byte>(v >> (8 * i)));
    }

    Bytes& out_;
    std::string_view message_;
    std::optional<Error> error_;
};

}  // namespace tfqkd
