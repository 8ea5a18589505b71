// RapidCheck generators of valid messages, one header per message type.
#pragma once

#include "arbitrary/session_params.hpp"
#include "arbitrary/session_params_ack.hpp"
#include "arbitrary/detection_report.hpp"
#include "arbitrary/phase_reference_report.hpp"
#include "arbitrary/sifting_announcement.hpp"
#include "arbitrary/decoy_announcement.hpp"
#include "arbitrary/estimation_disclosure.hpp"
#include "arbitrary/aopp_pairing.hpp"
#include "arbitrary/aopp_parity.hpp"
#include "arbitrary/cascade_parity_query.hpp"
#include "arbitrary/cascade_parity_reply.hpp"
#include "arbitrary/ldpc_syndrome.hpp"
#include "arbitrary/verification.hpp"
#include "arbitrary/privacy_amplification.hpp"
#include "arbitrary/key_confirmation.hpp"
#include "arbitrary/abort.hpp"
