<?php
// Runs prepared statements with bound parameters through PHP's ODBC
// extensions and prints what each answered, as JSON, for
// tests/clients/test_php.py to compare with pyodbc.
//
//   php params.php odbc|pdo CONNECTION-STRING CASES.json
//
// CASES.json: [{"name": ..., "sql": ..., "params": [[kind, value], ...]}]
// where kind is "int", "str" or "null". Output: {name: {"rows": [[...]],
// "count": n} or {"error": message}}. Values come back as PHP has them
// (strings or null); the test normalises both sides.

[$api, $conn_str, $cases_file] = array_slice($argv, 1);
$cases = json_decode(file_get_contents($cases_file), true, 512, JSON_THROW_ON_ERROR);
$out = [];

if ($api === 'odbc') {
    $c = odbc_connect($conn_str, '', '');
    if (!$c) {
        fwrite(STDERR, "odbc_connect: " . odbc_errormsg() . "\n");
        exit(2);
    }
    foreach ($cases as $case) {
        $out[$case['name']] = run_odbc($c, $case);
    }
    odbc_close($c);
} elseif ($api === 'pdo') {
    $db = new PDO("odbc:$conn_str", null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
    foreach ($cases as $case) {
        $out[$case['name']] = run_pdo($db, $case);
    }
} else {
    fwrite(STDERR, "unknown API $api\n");
    exit(2);
}
echo json_encode($out, JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR), "\n";

/// ext/odbc: odbc_prepare describes every marker (SQLDescribeParam), and
/// odbc_execute binds each value as SQL_C_CHAR with the described type.
function run_odbc($c, array $case): array
{
    $st = @odbc_prepare($c, $case['sql']);
    if (!$st) {
        return ['error' => odbc_errormsg($c)];
    }
    $values = array_map(fn($p) => $p[0] === 'null' ? null : ($p[0] === 'int' ? (int)$p[1] : $p[1]), $case['params']);
    if (!@odbc_execute($st, $values)) {
        return ['error' => odbc_errormsg($c)];
    }
    if (odbc_num_fields($st) === 0) {
        return ['count' => odbc_num_rows($st)];
    }
    // Whole long values, not the default 4096 bytes.
    odbc_longreadlen($st, 1 << 20);
    $rows = [];
    while (odbc_fetch_row($st)) {
        $row = [];
        for ($i = 1; $i <= odbc_num_fields($st); $i++) {
            $row[] = odbc_result($st, $i);
        }
        $rows[] = $row;
    }
    return ['rows' => $rows];
}

/// PDO_ODBC: each bindValue describes its marker (SQLDescribeParam) and
/// binds with the described type; values are sent at execution time.
function run_pdo(PDO $db, array $case): array
{
    try {
        $st = $db->prepare($case['sql']);
        foreach ($case['params'] as $i => [$kind, $value]) {
            match ($kind) {
                'int' => $st->bindValue($i + 1, (int)$value, PDO::PARAM_INT),
                'null' => $st->bindValue($i + 1, null, PDO::PARAM_NULL),
                default => $st->bindValue($i + 1, $value, PDO::PARAM_STR),
            };
        }
        $st->execute();
        if ($st->columnCount() === 0) {
            return ['count' => $st->rowCount()];
        }
        return ['rows' => $st->fetchAll(PDO::FETCH_NUM)];
    } catch (PDOException $e) {
        return ['error' => $e->getMessage()];
    }
}
