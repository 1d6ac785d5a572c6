#!/usr/bin/env bash
# The specification's campaign_update requests as curl commands, against the demo world.
#
#   examples/curl_examples.sh [BASE_URL]      (default http://127.0.0.1:8000/api.php)
#
# Start the demo first: `.venv/bin/loyalty-api serve --demo`.  Each command is printed, then its
# answer.  Running the script again gives the same answers (the updates set the same values).
# The specification's PHP examples leave out account_id, which its field table requires: it is added.
set -euo pipefail

URL="${1:-http://127.0.0.1:8000/api.php}"

# Print one argument as a shell word: as it is when that is safe, else in single quotes.
shell_word() {
    if [[ "$1" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
        printf ' %s' "$1"
    else
        printf " '%s'" "${1//\'/\'\\\'\'}"
    fi
}

run() {
    printf '$ curl'
    for arg in "$@"; do shell_word "$arg"; done
    printf '\n'
    curl -sS "$@"
    printf '\n\n'
}

echo "## 1. Giftcard, events or buyx campaign: multipart/form-data (what PHP curl sends for an array), XML"
run "$URL" \
    -F user_id=john1970 -F user_password=1959caadac9b13dcb3 -F account_id=greatwidgets \
    -F type=campaign_update -F action=campaign -F campaign_id=1234567890123450 \
    -F 'new_campaign_name=New Widget Card Name' -F 'description=New Campaign Description Here'

echo "## 2. Points campaign: multipart/form-data, XML"
run "$URL" \
    -F user_id=john1970 -F user_password=1959caadac9b13dcb3 -F account_id=greatwidgets \
    -F type=campaign_update -F action=campaign -F campaign_id=1234567890123451 \
    -F 'new_campaign_name=New Widget Rewards Name' -F 'description=New Campaign Description Here' \
    -F new_points_ratio=100 -F new_reward_ratio=18

echo "## 3. Earned-per-event campaign: multipart/form-data, XML"
run "$URL" \
    -F user_id=john1970 -F user_password=1959caadac9b13dcb3 -F account_id=greatwidgets \
    -F type=campaign_update -F action=campaign -F campaign_id=1234567890123453 \
    -F 'new_campaign_name=New Widget VIP Name' -F 'description=New Campaign Description Here' \
    -F new_amount_per_event=5.95

echo "## 4. The points request as application/x-www-form-urlencoded, output=JSON"
run "$URL" \
    -d user_id=john1970 -d user_password=1959caadac9b13dcb3 -d account_id=greatwidgets \
    -d type=campaign_update -d action=campaign -d campaign_id=1234567890123451 \
    --data-urlencode 'new_campaign_name=New Widget Rewards Name' \
    --data-urlencode 'description=New Campaign Description Here' \
    -d new_points_ratio=100 -d new_reward_ratio=18 -d output=JSON

echo "## 5. The giftcard request as GET with a query string, JSONP (callback), headers shown"
run "$URL" -G -i \
    -d user_id=john1970 -d user_password=1959caadac9b13dcb3 -d account_id=greatwidgets \
    -d type=campaign_update -d action=campaign -d campaign_id=1234567890123450 \
    --data-urlencode 'new_campaign_name=New Widget Card Name' \
    --data-urlencode 'description=New Campaign Description Here' \
    -d callback=showCampaign

echo "## 6. The earned request, output=JSON and condensed=yes (no whitespace)"
run "$URL" \
    -d user_id=john1970 -d user_password=1959caadac9b13dcb3 -d account_id=greatwidgets \
    -d type=campaign_update -d action=campaign -d campaign_id=1234567890123453 \
    --data-urlencode 'new_campaign_name=New Widget VIP Name' \
    --data-urlencode 'description=New Campaign Description Here' \
    -d new_amount_per_event=5.95 -d output=JSON -d condensed=yes

echo "## 7. The key in the api_access_key header instead of user_password (the header wins)"
run "$URL" -H 'api_access_key: 1959caadac9b13dcb3' \
    -d user_id=john1970 -d account_id=greatwidgets \
    -d type=campaign_update -d action=campaign -d campaign_id=1234567890123450 \
    --data-urlencode 'description=New Campaign Description Here' -d output=JSON -d condensed=yes

echo "## 8. Error: a wrong key (HTTP 200, status=\"error\", the mnemonic in the code attribute)"
run "$URL" \
    -d user_id=john1970 -d user_password=not-the-key -d account_id=greatwidgets \
    -d type=campaign_update -d action=campaign -d campaign_id=1234567890123450

echo "## 9. Error: a points field sent with a value to a giftcard campaign, output=JSON"
run "$URL" \
    -d user_id=john1970 -d user_password=1959caadac9b13dcb3 -d account_id=greatwidgets \
    -d type=campaign_update -d action=campaign -d campaign_id=1234567890123450 \
    -d new_points_ratio=100 -d output=JSON

echo "## 10. Warning: an opt-out on a campaign that already has transactions (the rest applies)"
run "$URL" \
    -d user_id=john1970 -d user_password=1959caadac9b13dcb3 -d account_id=greatwidgets \
    -d type=campaign_update -d action=campaign -d campaign_id=1234567890123455 \
    --data-urlencode 'description=Points from before the coalition' -d coalition_opt_out=Y
