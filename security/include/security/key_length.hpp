// The certified key length of any protocol family, from count statistics: the one dispatch by
// family that `tfqkd keyrate` and the conformance harness's key-length vectors share, so that the
// bound a vendor's claim is held against is the one the command prints.
#pragma once

#include "base/result.hpp"
#include "security/experiment.hpp"
#include "security/sns.hpp"

namespace tfqkd::security {

// sns_key_length, pm_key_length, cal19_key_length or mode_pairing_key_length by protocol.family
// (docs/security.md sections 4, 7, 8 and 9); their errors unchanged.
Result<KeyLength> certified_key_length(const ProtocolParameters& protocol, const SecurityParameters& security,
                                       const CountStatistics& counts, const SnsOptions& options);

}  // namespace tfqkd::security
