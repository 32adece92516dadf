-- The leg rules of docs/call-lifecycle.md, ported from src/domain/callstate/legs.ts.
-- KEEP IN STEP: legs.ts (the embedded store) and this file must change together; the contract
-- suite (test/contracts/callStateStoreContract.ts) runs against both adapters.
-- A call here is the table readCall returns (includes/call.lua); legs maps mac -> {state, transfer, eventId}.

local function legIsActive(leg)
  return leg.state == 'ringing' or leg.state == 'answered'
end

-- legs.ts transferRinging: a transfer into this call is still ringing.
local function transferRinging(call)
  for _, leg in pairs(call.legs) do
    if leg.transfer and leg.state == 'ringing' then return true end
  end
  return false
end

-- legs.ts callIsOver: the owner's leg has ended and no transfer leg rings or talks, or no leg does.
local function callIsOver(call)
  local anyActive = false
  for _, leg in pairs(call.legs) do
    if legIsActive(leg) then anyActive = true break end
  end
  if not anyActive then return true end
  if not call.answered or call.answeredBy == nil then return false end
  local owner = call.legs[call.answeredBy]
  local ownerEnded = owner == nil or owner.state == 'ended'
  if not ownerEnded then return false end
  for _, leg in pairs(call.legs) do
    if leg.transfer and legIsActive(leg) then return false end
  end
  return true
end

-- legs.ts answerLeg: marks mac's leg answered; returns owner (boolean), previousOwner (mac or nil).
local function answerLeg(call, mac, eventId, now)
  local leg = call.legs[mac] or { state = 'ringing', transfer = false, eventId = eventId }
  call.legs[mac] = { state = 'answered', transfer = leg.transfer, eventId = leg.eventId }
  if not call.answered or call.answeredBy == nil then
    call.answered = true
    call.answeredBy = mac
    call.answeredAt = call.answeredAt or now
    return true, nil
  end
  if call.answeredBy == mac then return true, nil end
  if leg.transfer then
    local previousOwner = call.answeredBy
    call.answeredBy = mac
    return true, previousOwner
  end
  return false, nil
end

-- legs.ts isLateEventOf: an event with no live call, at or before the end of the remote's most
-- recent call (`ended`, a calls:recent record, includes/recent.lua), belongs to that call.
local function isLateEventOf(ended, now)
  return now <= ended.endedAt and now < ended.expiresAt
end

-- legs.ts lateLegReopens: only a call nobody answered becomes live again for a late leg.
local function lateLegReopens(ended)
  return not ended.answered
end

-- legs.ts reopenedCall: the ended call as a live call again, with the legs it ended with.
local function reopenedCall(ended, remote, claimant, expiresAt)
  return {
    callId = ended.callId, remote = remote, direction = ended.direction, claimedBy = ended.claimedBy or claimant,
    startedAt = ended.startedAt, answered = ended.answered == true, answeredBy = ended.answeredBy,
    answeredAt = ended.answeredAt, legs = ended.legs or {}, transfer = nil, expiresAt = expiresAt,
    lastEndAt = ended.endedAt,
  }
end

-- legs.ts answerToEndedCall: a late answer on an answered call that is over; nobody new owns it.
local function answerToEndedCall(ended, mac)
  return {
    callId = ended.callId, owner = false, answeredBy = ended.answeredBy or mac, previousOwner = cjson.null,
    startedAt = ended.startedAt, direction = ended.direction,
  }
end
