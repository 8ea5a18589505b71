// The vocabulary of a TF-QKD experiment, owned by security/ and used by hardware_model/ (which
// predicts or simulates it) and protocol/ (which measures it): the protocol family and its
// parameters, the security parameters, and the count statistics that certification starts from.
// docs/security.md, section 3, defines every field; the JSON forms are in docs/keyrate.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace tfqkd::security {

// The same numbering as the wire format's session_params.family.
enum class Family : std::uint8_t { sns = 1, pm = 2, cal19 = 3, mode_pairing = 4 };

std::string_view family_name(Family family) noexcept;

// A window: Z (key) or X (test/decoy).
enum class Window : std::uint8_t { z = 0, x = 1 };

// One setting of a party: the window, the mean photon number of its phase-randomised coherent
// pulse (0 for vacuum), and the probability of choosing it. A party's settings form a probability
// distribution over (window, intensity).
struct Setting {
    Window window = Window::z;
    double intensity = 0.0;
    double probability = 1.0;
    bool operator==(const Setting&) const = default;
};

// Where the roles of SNS settings are found in a party's list (indices into it).
struct SnsRoles {
    std::size_t z_send = 0;     // Z window, intensity mu_z > 0 ("sending", probability p_z * eps)
    std::size_t z_silent = 0;   // Z window, vacuum ("not sending")
    std::size_t x_vacuum = 0;   // X window, vacuum decoy
    std::size_t x_weak = 0;     // X window, mu_1
    // X window, mu_2 (4-intensity protocol); absent in the 3-intensity protocol, whose strong decoy
    // is the Z-window sending pulse itself, seen in one-sided Z-window events.
    std::optional<std::size_t> x_strong;
};

// Where the roles of PM-QKD settings are found in a party's list (indices into it; docs/security.md
// section 7). Intensities are per party: the key mode sends mu/2 (the phase-matched pair carries
// mu in total), the test mode 0, nu_1/2 or nu_2/2.
struct PmRoles {
    std::size_t key = 0;          // Z window, intensity mu/2 > 0, probability p_key (the key bit is a phase)
    std::size_t test_vacuum = 0;  // X window, vacuum
    std::size_t test_weak = 0;    // X window, nu_1/2
    std::size_t test_strong = 0;  // X window, nu_2/2 > nu_1/2
};

// Where the roles of CAL19 settings are found in a party's list (docs/security.md section 8): one
// key setting (window z, intensity alpha^2 > 0: the coherent states |+alpha> and |-alpha>, not
// phase-randomised, each bit value with probability 1/2) and at least two test settings (window x,
// phase-randomised decoys of distinct intensities, vacuum allowed and recommended).
struct Cal19Roles {
    std::size_t key = 0;
    std::vector<std::size_t> decoys;  // by increasing intensity
};

struct ProtocolParameters {
    Family family = Family::sns;
    bool aopp = false;                 // SNS with actively odd-parity pairing
    std::vector<Setting> alice;
    std::vector<Setting> bob;
    std::uint32_t phase_slices = 16;   // M: the random phase is announced to one of M slices
    // SNS and PM: X1 (PM: test and key) windows are kept when the slices of Alice and Bob differ by at most this many slices
    // from 0 or from M/2 (the latter with the bit flipped); 0 keeps exact slice matches only.
    std::uint32_t phase_match_slices = 0;
    std::uint64_t pulses = 0;          // N, pulses sent by each party in the block
    // Mode pairing only: l, the maximal pairing interval (rounds; docs/security.md 9.1); 0 elsewhere.
    std::uint32_t max_pairing_interval = 0;

    bool operator==(const ProtocolParameters&) const = default;
};

// Failure probabilities (docs/security.md, section 5.4 gives how they compose into the total).
struct SecurityParameters {
    double eps_cor = 1e-15;  // correctness: verification hash collision
    double eps_pa = 1e-10;   // privacy amplification (leftover hash)
    double eps_pe = 1e-10;   // each parameter estimate (one side of one concentration bound)
    double eps_smooth = 1e-10;  // smoothing of the min-entropy
    // The budget the composed total must not exceed. The SNS composition of the defaults above is
    // about 2.1e-9 (docs/security.md 4.4), so the default budget is 1e-8.
    double eps_total = 1e-8;
    bool operator==(const SecurityParameters&) const = default;
};

// Counts are doubles: whole numbers when measured or simulated (exact up to 2^53, about 9 * 10^15),
// expectations when predicted. Certification treats both alike.
using Count = double;

// Counts of one class of windows: Alice chose setting `alice`, Bob setting `bob`.
struct ClassCounts {
    std::size_t alice = 0;
    std::size_t bob = 0;
    Count sent = 0;   // windows of this class (pulse pairs)
    Count left = 0;   // only the left detector clicked
    Count right = 0;  // only the right detector clicked
    Count both = 0;   // both clicked (not an effective event)
    Count effective() const noexcept { return left + right; }
    bool operator==(const ClassCounts&) const = default;
};

// SNS: the X1 windows (both chose mu_1 in X) whose phase slices matched (docs/security.md 4.2).
struct PhaseMatchedCounts {
    Count windows = 0;    // phase-matched X1 windows
    Count effective = 0;  // of which heralded by exactly one detector
    Count errors = 0;     // of which at the detector that the matched phase makes dark
    bool operator==(const PhaseMatchedCounts&) const = default;
};

// PM: the test windows in which Alice chose test setting `alice`, Bob test setting `bob`, and their
// phase slices matched (within phase_match_slices of 0 or of M/2; docs/security.md 7).
struct MatchedClassCounts {
    std::size_t alice = 0;
    std::size_t bob = 0;
    Count windows = 0;    // phase-matched windows of this class
    Count effective = 0;  // of which heralded by exactly one detector
    Count errors = 0;     // of which at the detector that the matched phase makes dark
    bool operator==(const MatchedClassCounts&) const = default;
};

// The key (Z-Z) windows after sifting, and what error correction disclosed.
struct KeyCounts {
    Count effective = 0;  // n_t: effective events in Z-Z windows (the sifted key length)
    Count errors = 0;     // bit errors among them (known after error correction)
    // Bits disclosed by error correction; absent for a prediction, which uses f * n_t * h(E_Z).
    std::optional<Count> ec_leakage_bits;
    // PM only: W, the phase-matched key windows (both chose the key mode, slices matched), whether
    // heralded or not; 0 and unused for SNS.
    Count windows = 0;
    bool operator==(const KeyCounts&) const = default;
};

// SNS with actively odd-parity pairing (AOPP, docs/security.md 4.5): Bob's raw key before pairing
// and the pairs he formed. With AOPP, `KeyCounts` describes the key after pairing: the bits that
// survived Alice's parity check and the errors among them.
struct AoppCounts {
    Count bob_zeros = 0;  // n_0^B: effective Z-Z windows in which Bob sent (his bit 0)
    Count bob_ones = 0;   // n_1^B: effective Z-Z windows in which Bob did not send (his bit 1)
    // n_g: pairs of one bit 0 and one bit 1, each chosen uniformly at random among Bob's bits of that
    // value; at most min(bob_zeros, bob_ones) (the protocol pairs as many as it can).
    Count pairs = 0;
    bool operator==(const AoppCounts&) const = default;
};

// ---- Mode-pairing QKD (MP-QKD; docs/security.md section 9) -------------------------------------
// Where the roles of MP settings are found in a party's list (indices into it). Every setting has
// window z: MP assigns the basis after pairing, from the intensities of the two paired rounds.
struct MpRoles {
    std::size_t vacuum = 0;  // intensity 0
    std::size_t decoy = 0;   // intensity nu > 0
    std::size_t signal = 0;  // intensity mu > nu
};

// The basis of a pair, from the intensities of its two rounds (docs/security.md 9.1): Z when one
// round is vacuum and the other not (the bit is the position of the non-vacuum round), X when both
// carry the same non-zero intensity (the bit comes from the relative phase). Both rounds vacuum is
// the vacuum pair, counted in either list; two different non-zero intensities are discarded.
enum class PairBasis : std::uint8_t { z = 0, x = 1 };

// Pairs of one class: Alice's pair of intensity setting `alice`, Bob's of `bob` (the setting of the
// non-vacuum round in Z, of both rounds in X, the vacuum setting for a vacuum pair).
struct ModePairingClassCounts {
    PairBasis basis = PairBasis::z;
    std::size_t alice = 0;
    std::size_t bob = 0;
    // Z: every pair of the class. X: the pairs kept by phase sifting (relative phases within
    // phase_match_slices of each other modulo pi, docs/security.md 9.1).
    Count pairs = 0;
    // X: pairs whose bit Bob infers wrongly (the parity of the two clicks against the phases); Z:
    // unused (0) except for the key, which is in KeyCounts.
    Count errors = 0;
    bool operator==(const ModePairingClassCounts&) const = default;
};

// What pairing produced. The signal-signal Z pairs are the sifted key and are counted in
// KeyCounts (effective = those pairs, errors, leakage), not in `classes`.
struct ModePairingCounts {
    Count heralded_rounds = 0;  // rounds in which exactly one detector clicked
    Count pairs = 0;            // pairs formed from them (each within max_pairing_interval rounds)
    std::vector<ModePairingClassCounts> classes;
    bool operator==(const ModePairingCounts&) const = default;

    const ModePairingClassCounts* find(PairBasis basis, std::size_t alice, std::size_t bob) const noexcept;
};

// Finds the MP roles: exactly three settings, all window z, intensities 0 < nu < mu. An error names
// the party's field ("alice[].window", "alice[].intensity") and what is wrong.
Result<MpRoles> mp_roles(const std::vector<Setting>& settings, std::string_view party);
// ---- end of mode-pairing QKD -----------------------------------------------------------------------

// Everything certification needs, as measured (or predicted, or simulated).
struct CountStatistics {
    std::vector<ClassCounts> classes;  // the announced classes (X-X windows, and for the
                                       // 3-intensity protocol the one-sided Z windows)
    PhaseMatchedCounts phase_matched;  // SNS
    std::vector<MatchedClassCounts> matched;  // PM: the phase-matched test classes
    KeyCounts key;
    std::optional<AoppCounts> aopp;    // present exactly when the protocol uses AOPP
    std::optional<ModePairingCounts> mode_pairing;  // present exactly for the mode_pairing family
    bool operator==(const CountStatistics&) const = default;

    const ClassCounts* find(std::size_t alice, std::size_t bob) const noexcept;
    const MatchedClassCounts* find_matched(std::size_t alice, std::size_t bob) const noexcept;
};

// Checks the parameters as docs/security.md section 3 states (probabilities in (0, 1] summing to 1
// within 1e-9, intensities finite and non-negative, the SNS roles present, N > 0, the epsilons in
// (0, 1); for mode_pairing the MP roles, an even M, 2k + 1 <= M/2 and l >= 1). The error names the
// field ("alice[2].probability") and what is accepted.
Status validate(const ProtocolParameters& protocol);
Status validate(const SecurityParameters& security);
// Checks the counts against the parameters: classes name existing settings, counts do not exceed
// the windows sent, the sum of classes does not exceed N, AOPP counts present exactly with AOPP and
// consistent (pairs <= min(bob_zeros, bob_ones), surviving key bits <= pairs); PM's matched classes
// name existing settings, are not repeated and have errors <= effective <= windows, and
// key.effective <= key.windows when key.windows is given; mode_pairing counts present exactly for
// that family and consistent (docs/security.md 9.1).
Status validate(const CountStatistics& counts, const ProtocolParameters& protocol);

// Finds the CAL19 roles in a party's settings; an error names the party and what is missing or
// repeated.
Result<Cal19Roles> cal19_roles(const std::vector<Setting>& settings, std::string_view party);

// Finds the SNS roles in a party's settings; an error names the party and the missing role.
Result<SnsRoles> sns_roles(const std::vector<Setting>& settings, std::string_view party);

// Finds the PM roles in a party's settings: exactly one Z setting with intensity > 0 (the key mode)
// and three X settings, one vacuum and two of different intensities > 0. An error names the party
// ("alice") and the role that is missing or repeated.
Result<PmRoles> pm_roles(const std::vector<Setting>& settings, std::string_view party);

}  // namespace tfqkd::security
