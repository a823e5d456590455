<?php
// endpoints.php: the poetry site's endpoints (class Poetry), one method per
// request a browser makes. Seven of them have a planted variant: written the
// way that hurts under load, each with one problem lockdiag must report
// (named in its comment, with the pattern and the fix); the fixed variant
// writes them as docs/patterns.md advises. The others are correct in both.
// poetry.php calls them in a seeded random mix.

declare(strict_types=1);

require_once __DIR__ . '/db.php';

// The rows of schema.sql the requests share: few, so that they collide.
const READERS = [1, 2, 3, 4];   // users with an account to spend
const POETS = [1 => 5, 2 => 6, 3 => 7];  // poet id => the poet's user (account)
const HANDLES = [1 => 'ann', 2 => 'basho', 3 => 'celan'];
const HOT_POEMS = 6;            // poems 1..6; poem i belongs to poet (i - 1) % 3 + 1

// What the endpoints did, for the worker's report (poetry.php prints it).
$sums = [];
function sum(string $name, int $by = 1): void { global $sums; $sums[$name] = ($sums[$name] ?? 0) + $by; }
// The application's work between its read and its write (validation,
// rendering): long enough for other requests to get in between.
function think(): void { usleep(mt_rand(0, 1500)); }
function fail(string $why): never { fwrite(STDERR, "poetry.php: $why\n"); exit(1); }

final class Poetry
{
    /** @var list<string> slugs this worker published */
    private array $mine = [];

    public function __construct(private Db $db, private bool $planted, private int $worker) {}

    // GET /poems/{slug}: the poem and its tags.
    public function viewPoem(string $slug): void
    {
        [$rows] = $this->db->q('SELECT p.id, p.title, p.body, p.likes, a.handle FROM poems p
                                JOIN poets a ON a.id = p.poet_id WHERE p.slug = ?', [$slug]);
        if (count($rows) !== 1) fail("poem $slug not found");
        $this->db->q('SELECT t.name FROM poem_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.poem_id = ?',
            [(int) $rows[0][0]]);
    }

    // GET /poets/{handle}
    public function viewPoet(string $handle): void
    {
        $this->db->q('SELECT a.handle, a.bio, s.poems, s.likes, s.featured FROM poets a
                      JOIN stats s ON s.poet_id = a.id WHERE a.handle = ?', [$handle]);
    }

    // GET /: the latest poems.
    public function feed(): void
    {
        $this->db->q('SELECT id, slug, title FROM poems ORDER BY id DESC LIMIT 10');
    }

    // POST /poems/{id}/like: correct in both variants. The like is an
    // INSERT IGNORE (liking twice is no error), the counters self-relative
    // updates, in the site's one lock order: poems before stats.
    public function like(int $user, int $poem): void
    {
        $this->db->transaction('like', function () use ($user, $poem) {
            [$rows] = $this->db->q('SELECT poet_id FROM poems WHERE id = ?', [$poem]);
            [, $added] = $this->db->q('INSERT IGNORE INTO likes (user_id, poem_id) VALUES (?, ?)', [$user, $poem]);
            if ($added === 0) return false;  // liked before: nothing to count
            $this->db->q('UPDATE poems SET likes = likes + 1 WHERE id = ?', [$poem]);
            $this->db->q('UPDATE stats SET likes = likes + 1 WHERE poet_id = ?', [(int) $rows[0][0]]);
        });
    }

    // POST /poems: correct in both variants (poems, then stats).
    public function publish(int $poet, string $slug): void
    {
        $this->db->transaction('publish', function () use ($poet, $slug) {
            $this->db->q('INSERT INTO poems (poet_id, slug, title, body) VALUES (?, ?, ?, ?)',
                [$poet, $slug, "Poem $slug", 'words, words']);
            $this->db->q('UPDATE stats SET poems = poems + 1 WHERE poet_id = ?', [$poet]);
        });
        $this->mine[] = $slug;
        sum('published');
    }

    // PUT /poems/{id}: optimistic locking (@Version), correct in both
    // variants. The form read the body and its version; the write succeeds
    // only if nobody wrote in between, else the editor reloads and retries.
    public function editPoem(int $poem): void
    {
        for ($attempt = 1; ; ++$attempt) {
            if ($attempt > 100) fail("poem $poem: 100 edit conflicts in a row");
            [$rows] = $this->db->q('SELECT body, version FROM poems WHERE id = ?', [$poem]);
            think();
            $body = substr($rows[0][0] . " / edit {$this->worker}", -200);
            [, $n] = $this->db->retrying('edit_poem', fn() => $this->db->q(
                'UPDATE poems SET body = ?, version = version + 1 WHERE id = ? AND version = ?',
                [$body, $poem, (int) $rows[0][1]]));
            if ($n === 1) break;
            sum('edit_conflicts');
        }
        sum('edits');
    }

    // POST /admin/poems/{id}/feature. PLANTED: LOCK_ORDER_INVERSION on
    // poems and stats: it bumps the poet's counter first, then the poem,
    // where like and publish lock poems before stats; a feature and a like
    // of the same poem deadlock. Fixed: poems first, as everywhere else.
    public function feature(int $poem): void
    {
        $this->db->transaction('feature', function () use ($poem) {
            [$rows] = $this->db->q('SELECT poet_id FROM poems WHERE id = ?', [$poem]);
            $poet = (int) $rows[0][0];
            if ($this->planted) {
                $this->db->q('UPDATE stats SET featured = featured + 1 WHERE poet_id = ?', [$poet]);
                $this->db->q('UPDATE poems SET featured = featured + 1 WHERE id = ?', [$poem]);
            } else {
                $this->db->q('UPDATE poems SET featured = featured + 1 WHERE id = ?', [$poem]);
                $this->db->q('UPDATE stats SET featured = featured + 1 WHERE poet_id = ?', [$poet]);
            }
        });
    }

    // POST /signup (register, or log in if the address is known), in
    // autocommit as PHP runs it. PLANTED: UNSCOPED_READ_MODIFY_WRITE on
    // users: check the address, then INSERT; two signups of one new address
    // both find nothing and one gets 1062. Fixed: the same check, then one
    // atomic INSERT ... ON DUPLICATE KEY UPDATE that returns the row's id
    // whoever inserted it.
    public function signup(string $email): void
    {
        [$rows] = $this->db->q('SELECT id FROM users WHERE email = ?', [$email]);
        if ($rows !== []) return;
        think();  // validate the form, hash the password
        $name = 'Reader ' . strtok($email, '@');
        if ($this->planted) {
            $this->db->q('INSERT INTO users (email, name) VALUES (?, ?)', [$email, $name]);
        } else {
            [, , $id] = $this->db->q('INSERT INTO users (email, name) VALUES (?, ?)
                                      ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)', [$email, $name]);
            if ($id === 0) fail("signup $email: no id");
        }
    }

    // POST /poems/{id}/buy: a printed copy, paid with credits. PLANTED:
    // UNLOCKED_READ_MODIFY_WRITE on accounts: a plain read of the balance,
    // then UPDATE ... SET credits = <computed>: two purchases at once both
    // read the old balance and one debit is lost. Fixed: the same
    // transaction reads with SELECT ... FOR UPDATE (the row exists: only it
    // is locked).
    public function buy(int $user, int $price): void
    {
        $this->db->transaction('buy', function () use ($user, $price) {
            [$rows] = $this->db->q($this->planted
                ? 'SELECT credits FROM accounts WHERE user_id = ?'
                : 'SELECT credits FROM accounts WHERE user_id = ? FOR UPDATE', [$user]);
            $credits = (int) $rows[0][0];
            if ($credits < $price) return false;
            think();
            $this->db->q('UPDATE accounts SET credits = ? WHERE user_id = ?', [$credits - $price, $user]);
        });
        sum('bought', $price);
    }

    // POST /poets/{id}/tip: move credits from a reader to the poet. A tip
    // must not hang the page, so the endpoint does not wait for row locks
    // (innodb_lock_wait_timeout = 0: a lock held by another request is an
    // immediate 1205). PLANTED: IGNORED_LOCK_ERROR on accounts: the code
    // logs the 1205 and commits the half that worked (credits vanish or
    // appear). Fixed: a 1205 rolls the transfer back and retries it.
    public function tip(int $from, int $to, int $amount): void
    {
        $this->db->set('SET SESSION innodb_lock_wait_timeout = 0');
        $transfer = function () use ($from, $to, $amount) {
            foreach ([[$from, -$amount], [$to, $amount]] as $i => [$user, $delta]) {
                if ($i > 0) think();  // notify the poet between the two halves
                try {
                    $this->db->q('UPDATE accounts SET credits = credits + ? WHERE user_id = ?', [$delta, $user]);
                } catch (mysqli_sql_exception $e) {
                    if (!$this->planted || $e->getCode() !== ER_LOCK_WAIT_TIMEOUT) throw $e;
                    sum('tip_halves_lost');  // "logged", and the transfer goes on
                }
            }
        };
        if ($this->planted) {
            $this->db->begin();
            $transfer();
            $this->db->commit();
        } else {
            $this->db->transaction('tip', $transfer);
        }
        $this->db->set('SET SESSION innodb_lock_wait_timeout = DEFAULT');
        sum('tips');
    }

    // POST /poems/{id}/tags: tag a poem, creating the tag if it is new.
    // PLANTED: GAP_LOCK_INSERT on tags, the "careful" get-or-create: SELECT
    // ... FOR UPDATE on the name, and INSERT when it is missing; the locking
    // read of a missing name takes a gap lock, and two taggings of new names
    // deadlock on their inserts. Fixed: insert first, INSERT ... ON
    // DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id) (the id either way).
    public function tag(int $poem, string $name): void
    {
        if ($this->planted) {
            $this->db->transaction('tag', function () use ($poem, $name) {
                [$rows] = $this->db->q('SELECT id FROM tags WHERE name = ? FOR UPDATE', [$name]);
                if ($rows === []) think();  // validate the new tag's name
                $id = $rows === [] ? $this->db->q('INSERT INTO tags (name) VALUES (?)', [$name])[2]
                                   : (int) $rows[0][0];
                $this->db->q('INSERT IGNORE INTO poem_tags (poem_id, tag_id) VALUES (?, ?)', [$poem, $id]);
            });
            return;
        }
        think();  // validate the name
        [, , $id] = $this->db->retrying('tag', fn() => $this->db->q(
            'INSERT INTO tags (name) VALUES (?) ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)', [$name]));
        if ($id === 0) fail("tag $name: no id");
        $this->db->retrying('tag', fn() => $this->db->q(
            'INSERT IGNORE INTO poem_tags (poem_id, tag_id) VALUES (?, ?)', [$poem, $id]));
    }

    // POST /poets/{id}/bio: append a line to the poet's bio. PLANTED:
    // SHARED_LOCK_UPGRADE on poets: the bio is read with LOCK IN SHARE
    // MODE, then updated; two edits of one poet both hold the shared lock
    // and deadlock on the upgrade. Fixed: read it FOR UPDATE.
    public function bio(int $poet): void
    {
        $this->db->transaction('bio', function () use ($poet) {
            [$rows] = $this->db->q($this->planted
                ? 'SELECT bio, edits FROM poets WHERE id = ? LOCK IN SHARE MODE'
                : 'SELECT bio, edits FROM poets WHERE id = ? FOR UPDATE', [$poet]);
            think();
            $this->db->q('UPDATE poets SET bio = ?, edits = ? WHERE id = ?',
                [substr($rows[0][0] . " line{$this->worker}", -200), (int) $rows[0][1] + 1, $poet]);
        });
        sum('bio_edits');
    }

    // POST /admin/stats/{poet}/recount: repair a poet's poem counter from the
    // poems themselves, in one statement. PLANTED: MIXED_ISOLATION_LEVELS on
    // stats: the admin code switches its connection to READ COMMITTED "so
    // that the recount does not block writers", while every other writer of
    // stats runs at the default REPEATABLE READ (and at READ COMMITTED the
    // subquery takes no locks: a poem published meanwhile can be missed).
    // Fixed: no switch.
    public function recount(int $poet): void
    {
        if ($this->planted) $this->db->set('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
        $this->db->retrying('recount', fn() => $this->db->q(
            'UPDATE stats SET poems = (SELECT COUNT(*) FROM poems WHERE poems.poet_id = stats.poet_id)
             WHERE stats.poet_id = ?', [$poet]));
        if ($this->planted) $this->db->set('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    }

    /** A slug to view: a seeded poem, or one this worker published. */
    public function someSlug(Random\Randomizer $r): string
    {
        $n = $r->getInt(1, HOT_POEMS + count($this->mine));
        return $n <= HOT_POEMS ? "seed-$n" : $this->mine[$n - HOT_POEMS - 1];
    }
}
