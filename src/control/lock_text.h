// How a Terraform state lock is named to people: "alice@laptop (OperationTypeApply since
// 2026-12-07T06:00:00Z, lock 1f2e…)" — by `strata remote state show`, and by a run whose engine
// met the lock. Terraform 1.11.4 prints its own request's LockInfo when a lock is held, not the
// holder's (OpenTofu fixed that in opentofu#2004), so strata asks the server and says who.
#pragma once

#include <string>

#include "store/store.h"

namespace strata::control {

std::string lock_sentence(const std::string& who, const std::string& operation, const std::string& since,
                          const std::string& id);
// The same from the lock as stored (its LockInfo JSON as Terraform sent it).
std::string lock_sentence(const store::StateLock& lock);

}  // namespace strata::control
