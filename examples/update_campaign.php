<?php
// A legacy-style PHP client: a $data array posted with curl (an array as CURLOPT_POSTFIELDS makes
// curl send multipart/form-data), the XML reply read with SimpleXML.
//
//   php examples/update_campaign.php [URL] [field=value ...]
//
// URL defaults to http://127.0.0.1:8000/api.php (the demo: `.venv/bin/loyalty-api serve --demo`).
// The $data array is the specification's "Points Campaign" example, with the account_id that its
// field table requires; field=value arguments change or add fields, e.g. new_points_ratio=abc to
// see an error, or description= (blank) to clear the description.
// Needs php-cli, php-curl and php-xml (Debian: apt-get install php-cli php-curl php-xml).

$url = 'http://127.0.0.1:8000/api.php';
$args = array_slice($argv, 1);
if ($args && strpos($args[0], '=') === false) {
    $url = array_shift($args);
}

$data = array();
$data['user_id'] = 'john1970';
$data['user_password'] = '1959caadac9b13dcb3';
$data['account_id'] = 'greatwidgets';
$data['type'] = 'campaign_update';
$data['action'] = 'campaign';
$data['campaign_id'] = '1234567890123451';
$data['new_campaign_name'] = 'New Widget Rewards Name';
$data['description'] = 'New Campaign Description Here';
$data['new_points_ratio'] = '100';
$data['new_reward_ratio'] = '18';
foreach ($args as $arg) {
    list($name, $value) = array_pad(explode('=', $arg, 2), 2, '');
    $data[$name] = $value;
}

$ch = curl_init($url);
curl_setopt($ch, CURLOPT_POST, true);
curl_setopt($ch, CURLOPT_POSTFIELDS, $data);  // an array: multipart/form-data
curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
curl_setopt($ch, CURLOPT_TIMEOUT, 30);
$body = curl_exec($ch);
if ($body === false) {
    fwrite(STDERR, 'curl error: ' . curl_error($ch) . "\n");
    exit(2);
}
$http_status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
curl_close($ch);

// Application errors come with HTTP 200; only transport errors (405, 413, ...) use another
// status, and they carry the same error document, so the body is read either way.
libxml_use_internal_errors(true);
$xml = simplexml_load_string($body);
if ($xml === false) {
    fwrite(STDERR, "not XML (HTTP $http_status):\n$body\n");
    exit(2);
}

$status = (string) $xml['status'];
if ($status === 'error') {
    echo 'error (' . (string) $xml->error['code'] . '): ' . (string) $xml->error . "\n";
    exit(1);
}
echo "status: $status\n";
echo 'campaign id: ' . (string) $xml->campaign->id . "\n";
if (isset($xml->warnings)) {
    foreach ($xml->warnings->warning as $warning) {
        echo 'warning: ' . (string) $warning . "\n";
    }
}
