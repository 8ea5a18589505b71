// session_params: rules of docs/wire-format.md section 5.1 that need more than the vector files show.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "protocol/wire/session_params.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

using Setting = SessionParams::Setting;
using Window = SessionParams::Window;

// Offsets in the example's layout (two settings for Alice, one for Bob).
constexpr std::size_t kFamilyAt = 8;
constexpr std::size_t kAliceCountAt = 19;
constexpr std::size_t kAliceSettingsAt = 20;
constexpr std::size_t kBobCountAt = 54;
constexpr std::size_t kBobSettingsAt = 55;
constexpr std::size_t kEpsCorAt = 72;
constexpr std::size_t kEpsTotalAt = 96;
constexpr std::size_t kCapabilitiesAt = 104;

// Written by hand from the table of section 5.1; binary fractions keep the f64 patterns readable.
constexpr const char* kExampleHex =
    "0102030405060708"  // block_id
    "02"                // family = pm
    "00000000000f4240"  // pulse_count = 10^6
    "0010"              // phase_slices = 16
    "02"                // alice_setting_count
    "00" "3fe0000000000000" "3fe8000000000000"  // Z, mu = 0.5, p = 0.75
    "01" "0000000000000000" "3fd0000000000000"  // X, mu = 0,   p = 0.25
    "01"                // bob_setting_count
    "00" "4000000000000000" "3ff0000000000000"  // Z, mu = 2,   p = 1
    "3fc0000000000000"  // eps_cor = 0.125
    "3fd0000000000000"  // eps_pa = 0.25
    "3fd0000000000000"  // eps_pe = 0.25
    "3fe0000000000000"  // eps_total = 0.5
    "00000005";         // capabilities = AOPP | LDPC

SessionParams example() {
    SessionParams m;
    m.block_id = 0x0102030405060708;
    m.family = SessionParams::Family::pm;
    m.pulse_count = 1'000'000;
    m.phase_slices = 16;
    m.alice_settings = {Setting{Window::z, 0.5, 0.75}, Setting{Window::x, 0.0, 0.25}};
    m.bob_settings = {Setting{Window::z, 2.0, 1.0}};
    m.eps_cor = 0.125;
    m.eps_pa = 0.25;
    m.eps_pe = 0.25;
    m.eps_total = 0.5;
    m.capabilities = SessionParams::kCapAopp | SessionParams::kCapLdpc;
    return m;
}

Bytes example_bytes() {
    auto bytes = from_hex(kExampleHex);
    EXPECT_TRUE(bytes.ok());
    return *bytes;
}

// Overwrites the bytes at `at` with `hex`.
Bytes patched(std::size_t at, std::string_view hex) {
    Bytes bytes = example_bytes();
    auto patch = from_hex(hex);
    EXPECT_TRUE(patch.ok());
    std::copy(patch->begin(), patch->end(), bytes.begin() + static_cast<std::ptrdiff_t>(at));
    return bytes;
}

TEST(SessionParams, EncodesTheSpecLayout) {
    auto bytes = encode_payload(example());
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    EXPECT_EQ(to_hex(*bytes), kExampleHex);
    EXPECT_EQ(bytes->size(), 91U + 17U);  // the spec's minimum payload plus one setting
    auto back = decode_payload<SessionParams>(*bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, example());
}

TEST(SessionParams, FieldErrorsNameTheFieldAndItsOffset) {
    expect_error(decode_payload<SessionParams>(patched(kFamilyAt, "00")), Errc::invalid_value, "family", kFamilyAt);
    expect_error(decode_payload<SessionParams>(patched(kFamilyAt, "05")), Errc::invalid_value, "family", kFamilyAt);
    expect_error(decode_payload<SessionParams>(patched(9, "0001000000000001")), Errc::out_of_range, "pulse_count", 9);
    expect_error(decode_payload<SessionParams>(patched(17, "0401")), Errc::out_of_range, "phase_slices", 17);
    expect_error(decode_payload<SessionParams>(patched(kAliceCountAt, "00")), Errc::out_of_range,
                 "alice_setting_count", kAliceCountAt);
    expect_error(decode_payload<SessionParams>(patched(kAliceCountAt, "11")), Errc::out_of_range,
                 "alice_setting_count", kAliceCountAt);
    expect_error(decode_payload<SessionParams>(patched(kBobSettingsAt, "02")), Errc::invalid_value,
                 "bob_settings[].window", kBobSettingsAt);
    // Alice's second setting: intensity above 100, probability 0 (the interval is open at 0).
    expect_error(decode_payload<SessionParams>(patched(38, "4059000000000001")), Errc::out_of_range,
                 "alice_settings[].intensity", 38);
    expect_error(decode_payload<SessionParams>(patched(46, "0000000000000000")), Errc::out_of_range,
                 "alice_settings[].probability", 46);
    expect_error(decode_payload<SessionParams>(patched(46, "3ff0000000000001")), Errc::out_of_range,
                 "alice_settings[].probability", 46);
    // Epsilons lie in the open interval (0, 1); -0.0 and NaN have their own codes (WF-ENC-3).
    expect_error(decode_payload<SessionParams>(patched(kEpsCorAt, "3ff0000000000000")), Errc::out_of_range,
                 "eps_cor", kEpsCorAt);
    expect_error(decode_payload<SessionParams>(patched(kEpsCorAt, "0000000000000000")), Errc::out_of_range,
                 "eps_cor", kEpsCorAt);
    expect_error(decode_payload<SessionParams>(patched(kEpsCorAt, "8000000000000000")), Errc::non_canonical,
                 "eps_cor", kEpsCorAt);
    expect_error(decode_payload<SessionParams>(patched(88, "7ff8000000000000")), Errc::invalid_value, "eps_pe", 88);
    // WF-SP-4: a capability bit above 3.
    expect_error(decode_payload<SessionParams>(patched(kCapabilitiesAt, "00000010")), Errc::invalid_value,
                 "capabilities", kCapabilitiesAt);
    expect_error(decode_payload<SessionParams>(patched(kCapabilitiesAt, "8000000f")), Errc::invalid_value,
                 "capabilities", kCapabilitiesAt);
}

TEST(SessionParams, IntervalBoundsAreInclusiveWhereTheSpecSaysSo) {
    SessionParams m = example();
    m.alice_settings[1].intensity = SessionParams::kMaxIntensity;
    m.eps_cor = std::nextafter(0.0, 1.0);
    m.eps_total = std::nextafter(1.0, 0.0);
    m.pulse_count = kMaxSlot;
    m.phase_slices = SessionParams::kMaxPhaseSlices;
    m.capabilities = SessionParams::kCapAll;
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    auto back = decode_payload<SessionParams>(*bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, m);
}

TEST(SessionParams, CountBeyondTheInputIsTruncatedOnTheCount) {
    // The minimal layout (one setting each, 91 bytes): 71 bytes follow Alice's count.
    SessionParams m = example();
    m.alice_settings = {Setting{Window::z, 0.5, 1.0}};
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    ASSERT_EQ(bytes->size(), 91U);
    // Five settings need 85 bytes: the claim itself is at fault (WF-ENC-7).
    (*bytes)[kAliceCountAt] = 5;
    expect_error(decode_payload<SessionParams>(*bytes), Errc::truncated, "alice_setting_count", kAliceCountAt);
    // Four need 68 and pass the check; the fourth setting then starts at byte 71, the first byte
    // of eps_pe (0x3f), which is no window.
    (*bytes)[kAliceCountAt] = 4;
    expect_error(decode_payload<SessionParams>(*bytes), Errc::invalid_value, "alice_settings[].window", 71);
}

TEST(SessionParams, DuplicateSettingsAreInconsistent) {
    // WF-SP-1: same window and intensity twice.
    SessionParams m = example();
    m.alice_settings = {Setting{Window::x, 0.5, 0.5}, Setting{Window::x, 0.5, 0.5}};
    expect_encode_error(m, Errc::inconsistent, "alice_settings", kAliceSettingsAt);
    // The same intensity in the other window is a different setting.
    m.alice_settings[1].window = Window::z;
    EXPECT_TRUE(encode_payload(m).ok());

    m = example();
    m.bob_settings = {Setting{Window::z, 2.0, 0.5}, Setting{Window::z, 2.0, 0.5}};
    expect_encode_error(m, Errc::inconsistent, "bob_settings", kBobSettingsAt);
}

TEST(SessionParams, ProbabilitiesMustSumToOneWithinTheTolerance) {
    // WF-SP-2
    SessionParams m = example();
    m.alice_settings[1].probability = 0.125;
    expect_encode_error(m, Errc::inconsistent, "alice_settings", kAliceSettingsAt);
    m.alice_settings[1].probability = 0.25 + 5e-10;
    EXPECT_TRUE(encode_payload(m).ok());
    m.alice_settings[1].probability = 0.25 - 5e-10;
    EXPECT_TRUE(encode_payload(m).ok());
    m.alice_settings[1].probability = 0.25 + 2e-9;
    expect_encode_error(m, Errc::inconsistent, "alice_settings", kAliceSettingsAt);

    m = example();
    m.bob_settings = {Setting{Window::z, 2.0, 0.5}, Setting{Window::x, 2.0, 0.25}};
    expect_encode_error(m, Errc::inconsistent, "bob_settings", kBobSettingsAt);
}

TEST(SessionParams, EpsTotalMustCoverEachTerm) {
    // WF-SP-3
    for (double SessionParams::*term : {&SessionParams::eps_cor, &SessionParams::eps_pa, &SessionParams::eps_pe}) {
        SessionParams m = example();
        m.*term = 0.75;
        expect_encode_error(m, Errc::inconsistent, "eps_total", kEpsTotalAt);
    }
    SessionParams m = example();
    m.eps_total = m.eps_pa;  // equality is allowed
    EXPECT_TRUE(encode_payload(m).ok());
    // The offset follows the lists' lengths.
    m.eps_total = 0.125;
    m.bob_settings = {Setting{Window::z, 2.0, 0.5}, Setting{Window::x, 2.0, 0.5}};
    expect_encode_error(m, Errc::inconsistent, "eps_total", kEpsTotalAt + 17);
}

TEST(SessionParams, CrossFieldRulesAreReportedInTheirListedOrder) {
    SessionParams m = example();
    m.alice_settings = {Setting{Window::x, 0.5, 0.5}, Setting{Window::x, 0.5, 0.25}};  // duplicate and bad sum
    m.bob_settings = {Setting{Window::z, 2.0, 0.5}, Setting{Window::z, 2.0, 0.5}};      // duplicate
    m.eps_total = 0.125;                                                                 // below eps_pa
    expect_encode_error(m, Errc::inconsistent, "alice_settings", kAliceSettingsAt);
    // Alice's sum comes before Bob's duplicate.
    m.alice_settings[1].window = Window::z;
    expect_encode_error(m, Errc::inconsistent, "alice_settings", kAliceSettingsAt);
    m.alice_settings[1].probability = 0.5;
    expect_encode_error(m, Errc::inconsistent, "bob_settings", kBobSettingsAt);
    m.bob_settings[1].window = Window::x;
    m.bob_settings[1].probability = 0.25;
    expect_encode_error(m, Errc::inconsistent, "bob_settings", kBobSettingsAt);
    m.bob_settings[1].probability = 0.5;
    expect_encode_error(m, Errc::inconsistent, "eps_total", kEpsTotalAt + 17);
    m.eps_total = 0.25;
    EXPECT_TRUE(encode_payload(m).ok());
}

TEST(SessionParams, FieldErrorsAndTrailingDataComeBeforeInconsistency) {
    // WF-ENC-8: fields, then exact consumption, then the cross-field rules.
    SessionParams m = example();
    m.eps_total = 0.125;
    m.capabilities = 0x10;
    expect_encode_error(m, Errc::invalid_value, "capabilities", kCapabilitiesAt);
    Bytes raw = patched(kEpsTotalAt, "3fc0000000000000");  // eps_total = 0.125: inconsistent
    raw.push_back(0);
    expect_error(decode_payload<SessionParams>(raw), Errc::trailing_data, "", raw.size() - 1);
    raw.pop_back();
    expect_error(decode_payload<SessionParams>(raw), Errc::inconsistent, "eps_total", kEpsTotalAt);
}

TEST(SessionParams, EncoderRefusesListsItsCountCannotHold) {
    SessionParams m = example();
    m.bob_settings.assign(256, Setting{Window::z, 0.0, 1.0 / 256});
    expect_encode_error(m, Errc::out_of_range, "bob_setting_count", kBobCountAt);
    m.bob_settings.clear();
    m.alice_settings.assign(256, Setting{Window::z, 0.0, 1.0 / 256});
    expect_encode_error(m, Errc::out_of_range, "alice_setting_count", kAliceCountAt);
    // Representable but beyond the spec's 16: the decoder's bound, at the same place.
    m.alice_settings.resize(17);
    expect_encode_error(m, Errc::out_of_range, "alice_setting_count", kAliceCountAt);
    // And an empty list.
    m.alice_settings.clear();
    expect_encode_error(m, Errc::out_of_range, "alice_setting_count", kAliceCountAt);
}

TEST(SessionParams, EncoderRefusesUndefinedEnumValues) {
    SessionParams m = example();
    m.family = static_cast<SessionParams::Family>(0);
    expect_encode_error(m, Errc::invalid_value, "family", kFamilyAt);
    m = example();
    m.alice_settings[1].window = static_cast<Window>(2);
    expect_encode_error(m, Errc::invalid_value, "alice_settings[].window", 37);
}

}  // namespace
}  // namespace tfqkd::wire
