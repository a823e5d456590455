<?php
// poetry.php: one worker of a small poetry site's backend (the endpoints are
// in endpoints.php, the data layer in db.php). Each request is one endpoint,
// picked at random from the mix in MIX below, seeded by --seed and --worker
// so that a worker makes the same requests in both variants; run-app.sh
// starts several workers at once on one server.
//
//   php poetry.php --variant=planted|fixed --socket=PATH --worker=N --requests=N [--seed=N]
//
// --variant=planted writes seven endpoints the way that hurts under load,
// one planted problem each; --variant=fixed writes them the way
// docs/patterns.md advises. Environment: LOCKDIAG_APP_USER,
// LOCKDIAG_APP_PASSWORD (default lockdiag_app / lockdiag_app).
//
// On stdout, for run-app.sh to add up over the workers:
//   transactions N       transactions that touched a table (db.php)
//   error CODE N         lock-related errors the server raised, by code
//   retried LABEL N      lock errors the retry helpers took care of
//   sum NAME N           what the endpoints did (credits bought, edits, ...)
//   email ADDRESS        each e-mail address a signup asked for
//   tag NAME             each tag name a tagging asked for
// A request that fails with a lock error the endpoint does not handle is
// counted (sum failed_requests) and the worker goes on, as a web server would
// answer 500; any other error ends the worker with exit code 1.

declare(strict_types=1);

require __DIR__ . '/endpoints.php';

$opts = getopt('', ['variant:', 'socket:', 'worker:', 'requests:', 'seed::']);
if (!isset($opts['variant'], $opts['socket'], $opts['worker'], $opts['requests']) ||
    !in_array($opts['variant'], ['planted', 'fixed'], true)) {
    fwrite(STDERR, "usage: php poetry.php --variant=planted|fixed --socket=PATH --worker=N --requests=N [--seed=N]\n");
    exit(2);
}
$planted = $opts['variant'] === 'planted';
$worker = (int) $opts['worker'];
$requests = (int) $opts['requests'];
$seed = (int) ($opts['seed'] ?? 1);

// Endpoint => weight in the mix.
const MIX = [
    'view_poem' => 14, 'view_poet' => 6, 'feed' => 6,
    'like' => 12, 'publish' => 6, 'edit_poem' => 8, 'feature' => 6,
    'signup' => 8, 'buy' => 8, 'tip' => 12, 'tag' => 8, 'bio' => 4, 'recount' => 4,
];

$emails = [];
$tagNames = [];

// The request plan comes from its own generator, so that retries and pauses
// (mt_rand) do not change which requests a worker makes.
$plan = new Random\Randomizer(new Random\Engine\Mt19937(crc32("poetry/$seed/$worker")));
mt_srand(crc32("pauses/$seed/$worker"));
$total = array_sum(MIX);
$db = new Db($opts['socket'], 'poetry', getenv('LOCKDIAG_APP_USER') ?: 'lockdiag_app',
    getenv('LOCKDIAG_APP_PASSWORD') ?: 'lockdiag_app');
$app = new Poetry($db, $planted, $worker);

for ($i = 1; $i <= $requests; ++$i) {
    $pick = $plan->getInt(1, $total);
    foreach (MIX as $endpoint => $weight) {
        if (($pick -= $weight) <= 0) break;
    }
    $poem = $plan->getInt(1, HOT_POEMS);
    $poet = $plan->getInt(1, count(POETS));
    $reader = READERS[$plan->getInt(0, count(READERS) - 1)];
    // New names come in waves (a newsletter goes out, a theme trends): the
    // workers, at about the same request number, want the same two new
    // addresses and tags at once.
    $wave = intdiv($i - 1, 20);
    try {
        switch ($endpoint) {
            case 'view_poem': $app->viewPoem($app->someSlug($plan)); break;
            case 'view_poet': $app->viewPoet(HANDLES[$poet]); break;
            case 'feed': $app->feed(); break;
            case 'like': $app->like($plan->getInt(1, 40), $poem); break;
            case 'publish': $app->publish($poet, "w$worker-$i-s$seed"); break;
            case 'edit_poem': $app->editPoem($poem); break;
            case 'feature': $app->feature($poem); break;
            case 'signup':
                $email = "new-$wave-" . $plan->getInt(1, 2) . '@example.com';
                $emails[$email] = true;
                $app->signup($email);
                break;
            case 'buy': $app->buy($reader, $plan->getInt(1, 5)); break;
            case 'tip': $app->tip($reader, POETS[$poet], $plan->getInt(1, 3)); break;
            case 'tag':
                $name = "tag-$wave-" . $plan->getInt(1, 2);
                $tagNames[$name] = true;
                $app->tag($poem, $name);
                break;
            case 'bio': $app->bio($poet); break;
            case 'recount': $app->recount($poet); break;
        }
        sum("endpoint_$endpoint");
    } catch (mysqli_sql_exception $e) {
        // A lock error the endpoint does not handle reaches the user as a
        // 500 (the planted signup's 1062); the next request goes on.
        if (!in_array($e->getCode(), LOCK_ERRORS, true)) throw $e;
        if ($db->inTransaction()) $db->rollback();
        sum('failed_requests');
    }
}
$db->close();

echo "transactions {$db->transactions}\n";
ksort($db->errors);
foreach ($db->errors as $code => $n) echo "error $code $n\n";
ksort($db->retried);
foreach ($db->retried as $label => $n) echo "retried $label $n\n";
ksort($sums);
foreach ($sums as $k => $v) echo "sum $k $v\n";
foreach (array_keys($emails) as $e) echo "email $e\n";
foreach (array_keys($tagNames) as $t) echo "tag $t\n";
