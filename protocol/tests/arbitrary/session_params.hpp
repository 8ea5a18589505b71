#pragma once

#include <cmath>
#include <limits>

#include "arbitrary/common.hpp"
#include "protocol/wire/session_params.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::SessionParams> {
    using SessionParams = tfqkd::wire::SessionParams;

    static Gen<SessionParams> arbitrary() {
        using tfqkd::wire::kMaxSlot;
        using tfqkd::wire::testing::in_closed_range;
        return gen::exec([] {
            SessionParams m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            m.family = static_cast<SessionParams::Family>(*in_closed_range<std::uint8_t>(1, 4));
            m.pulse_count = *gen::oneOf(in_closed_range<std::uint64_t>(1, 1000),
                                        in_closed_range<std::uint64_t>(1, kMaxSlot),
                                        in_closed_range<std::uint64_t>(kMaxSlot - 1000, kMaxSlot));
            m.phase_slices = *in_closed_range<std::uint16_t>(1, SessionParams::kMaxPhaseSlices);
            m.alice_settings = settings();
            m.bob_settings = settings();
            m.eps_cor = *epsilon();
            m.eps_pa = *epsilon();
            m.eps_pe = *epsilon();
            // WF-SP-3: eps_total is at least the others, up to the largest double below 1.
            const double largest = std::max({m.eps_cor, m.eps_pa, m.eps_pe});
            const double top = std::nextafter(1.0, 0.0);
            const double u = *in_closed_range<std::uint32_t>(0, 1000) / 1000.0;
            m.eps_total = *gen::element(largest, top, std::clamp(largest + u * (top - largest), largest, top));
            m.capabilities = *in_closed_range<std::uint32_t>(0, SessionParams::kCapAll);
            return m;
        });
    }

private:
    // A value in the open interval (0, 1), from the smallest positive double to the largest below 1,
    // over the whole exponent range.
    static Gen<double> epsilon() {
        using tfqkd::wire::testing::in_closed_range;
        return gen::oneOf(
            gen::element(std::numeric_limits<double>::denorm_min(), std::nextafter(1.0, 0.0), 1e-15, 1e-10, 0.5),
            gen::exec([] {
                const auto mantissa = *in_closed_range<int>(1, 9);
                const auto exponent = *in_closed_range<int>(1, 307);
                return mantissa * std::pow(10.0, -exponent);
            }));
    }

    // A mean photon number in [0, 100], boundaries included. k * 100 / 2^20 is exact, so 100 itself occurs.
    static Gen<double> intensity() {
        using tfqkd::wire::testing::in_closed_range;
        return gen::oneOf(gen::element(0.0, SessionParams::kMaxIntensity, std::numeric_limits<double>::denorm_min(),
                                       std::nextafter(SessionParams::kMaxIntensity, 0.0), 0.1, 0.5),
                          gen::map(in_closed_range<std::uint32_t>(0, 1U << 20),
                                   [](std::uint32_t k) { return k * (SessionParams::kMaxIntensity / (1U << 20)); }));
    }

    static bool sums_to_one(const std::vector<SessionParams::Setting>& settings) {
        double sum = 0.0;
        for (const auto& s : settings) sum += s.probability;
        return std::fabs(sum - 1.0) <= SessionParams::kProbabilityTolerance;
    }

    // 1..16 settings with distinct (window, intensity) pairs (WF-SP-1) and probabilities summing to 1
    // within the tolerance (WF-SP-2).
    static std::vector<SessionParams::Setting> settings() {
        using tfqkd::wire::testing::in_closed_range;
        const auto count = *in_closed_range<std::size_t>(1, SessionParams::kMaxSettings);
        std::vector<SessionParams::Setting> out;
        for (std::size_t attempt = 0; attempt < 4 * count && out.size() < count; ++attempt) {
            SessionParams::Setting s;
            s.window = static_cast<SessionParams::Window>(*in_closed_range<std::uint8_t>(0, 1));
            s.intensity = *intensity();
            const bool duplicate = std::any_of(out.begin(), out.end(), [&](const SessionParams::Setting& o) {
                return o.window == s.window && o.intensity == s.intensity;
            });
            if (!duplicate) out.push_back(s);
        }
        // Weights normalised; some probabilities as small as a double allows. The last is fixed up
        // so that the sum, taken in list order as the decoder takes it, is 1.
        std::vector<std::uint32_t> weights(out.size());
        std::uint64_t total = 0;
        for (std::size_t i = 0; i + 1 < out.size(); ++i) {
            weights[i] = *gen::weightedOneOf<std::uint32_t>(
                {{1, gen::just<std::uint32_t>(0)}, {8, in_closed_range<std::uint32_t>(1, 1000)}});
            total += weights[i];
        }
        weights.back() = *in_closed_range<std::uint32_t>(1, 1000);
        total += weights.back();
        double sum = 0.0;
        for (std::size_t i = 0; i + 1 < out.size(); ++i) {
            out[i].probability = weights[i] == 0 ? std::numeric_limits<double>::denorm_min()
                                                 : static_cast<double>(weights[i]) / static_cast<double>(total);
            sum += out[i].probability;
        }
        // Sometimes off by up to just under the tolerance, so that its edge is exercised.
        const double offset = *gen::element(0.0, 5e-10, -5e-10, 9e-10, -9e-10);
        out.back().probability = 1.0 - sum + offset;
        if (out.back().probability > 1.0 || !sums_to_one(out)) out.back().probability = 1.0 - sum;
        // The last weight is at least 1/16000 of the total, so this cannot happen; should rounding
        // ever prove that wrong, a single certain setting is still a valid list.
        if (!(out.back().probability > 0.0 && out.back().probability <= 1.0 && sums_to_one(out))) {
            out.resize(1);
            out.front().probability = 1.0;
        }
        return out;
    }
};

}  // namespace rc
