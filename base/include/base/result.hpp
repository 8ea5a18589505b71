// The one result type of tfqkd.
//
// Every operation that can fail on input from outside (a wire message, a file, a peer) returns a
// Result<T> or a Status. Both are [[nodiscard]]: the compiler will not let a caller drop an error.
// An Error names what was being read (the message or file), the field, the reason as a code, and
// where applicable the byte offset, so that a rejection can be reported to a peer or a person as it is.
//
// No exceptions cross a parse or protocol boundary. Codec errors use string literals for the message
// and field names, so building an Error on the hot path allocates nothing; `detail` is for the rarer
// errors (files, configuration) that need a sentence of their own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace tfqkd {

// Why something was rejected. The numeric values are stable: they appear in vector files
// (docs/wire-format.md, "Error codes") and in conformance reports.
enum class Errc : std::uint16_t {
    truncated = 1,         // the input ended inside a field
    trailing_data = 2,     // bytes remain after the last field of a message or frame
    out_of_range = 3,      // a number outside the bounds the spec gives for its field
    non_canonical = 4,     // a value that has a shorter or unique encoding (over-long varint, -0.0, padding bits)
    bad_magic = 5,         // a frame that does not start with "TFQK"
    unsupported_version = 6,
    unknown_type = 7,      // an undefined message type
    invalid_value = 8,     // an undefined value of an enumerated field, or a forbidden value
    not_increasing = 9,    // a list that must be strictly increasing is not
    length_mismatch = 10,  // a declared length or count disagrees with the content
    bad_route = 11,        // a sender/receiver pair that the message type does not allow
    inconsistent = 12,     // fields that are each valid but contradict each other
    io = 13,               // a file could not be read or written
    parse = 14,            // a text file (JSON) is not well formed
    invalid_argument = 15, // an argument outside what the function accepts
};

// A short stable name for an error code ("truncated", "out_of_range", ...), as used in vector files.
std::string_view errc_name(Errc code) noexcept;
// The inverse of errc_name; std::nullopt for an unknown name.
std::optional<Errc> errc_from_name(std::string_view name) noexcept;

struct Error {
    Errc code = Errc::invalid_argument;
    // What was being read or written: a message name ("detection_report"), "frame", "file".
    // Must point to static storage (a string literal), so that errors are cheap to build and copy.
    std::string_view message;
    // The field, as named in docs/wire-format.md ("event_count", "events[].click"); static storage.
    std::string_view field;
    // Byte offset into the message payload (or frame) where the failing field starts; 0 if unknown.
    std::uint64_t offset = 0;
    // A sentence for a person, when the code alone does not say enough (a file path, the bound that
    // was crossed). Empty on the codec hot path.
    std::string detail;

    // "detection_report.event_count: out_of_range at byte 28 (count exceeds 100000000)"
    std::string to_string() const;
    bool operator==(const Error&) const = default;
};

template <class T>
class [[nodiscard]] Result {
public:
    static_assert(!std::is_same_v<T, Error>, "Result<Error> is ambiguous");

    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    // Precondition: ok(). Checked with std::get, which throws on misuse rather than reading garbage.
    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    // Precondition: !ok().
    const Error& error() const& { return std::get<1>(state_); }
    Error&& error() && { return std::get<1>(std::move(state_)); }

private:
    std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)) {}

    bool ok() const noexcept { return !error_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    const Error& error() const& { return *error_; }
    Error&& error() && { return std::move(*error_); }

private:
    std::optional<Error> error_;
};

using Status = Result<void>;

inline Error make_error(Errc code, std::string_view message, std::string_view field,
                        std::string detail = {}, std::uint64_t offset = 0) {
    return Error{code, message, field, offset, std::move(detail)};
}

}  // namespace tfqkd

// Propagates the error of a Status-returning expression to the caller.
#define TFQKD_TRY(expr)                                        \
    do {                                                       \
        if (auto tfqkd_try_status_ = (expr); !tfqkd_try_status_) \
            return std::move(tfqkd_try_status_).error();       \
    } while (0)
