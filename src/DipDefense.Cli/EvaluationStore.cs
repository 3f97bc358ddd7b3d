using System.Globalization;
using DipDefense.Evaluation;
using Microsoft.Data.Sqlite;

namespace DipDefense.Cli;

/// <summary>
/// The SQLite result store of <c>dipdefense evaluate</c> (docs/evaluation.md#the-store): one row per (defense, attack,
/// image), the settings of the run (a store holds one setting; another is refused, not mixed in), and every command
/// that wrote to it with the package version. Each image's rows are committed in one transaction, so a killed run
/// loses at most the image in flight and a rerun resumes after the last committed image.
/// </summary>
internal sealed class EvaluationStore : IDisposable
{
    /// <summary>The version of the store's layout; bump it (with a note) when the tables change.</summary>
    /// <remarks>1: tables run, commands, rows.</remarks>
    public const int FormatVersion = 1;

    const string RowColumns = "defense, attack, image, true_label, adversarial_label, purified_label, ssim, l2, linf, attack_seconds, purify_seconds, queries, seed, settings_hash";

    readonly SqliteConnection connection;

    EvaluationStore(SqliteConnection connection) => this.connection = connection;

    /// <summary>The store's file.</summary>
    public string Path => connection.DataSource;

    /// <summary>Opens the store at <paramref name="path"/>, creating an empty one (no settings yet) when it does not exist.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a result store of this format.</exception>
    public static EvaluationStore OpenOrCreate(string path) => Open(path, SqliteOpenMode.ReadWriteCreate);

    /// <summary>Opens an existing store for reading.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a result store of this format.</exception>
    public static EvaluationStore OpenExisting(string path) =>
        File.Exists(path) ? Open(path, SqliteOpenMode.ReadOnly) : throw new FileNotFoundException($"Store '{path}' not found.", path);

    static EvaluationStore Open(string path, SqliteOpenMode mode)
    {
        var store = new EvaluationStore(Connect(path, mode));
        try
        {
            if (mode != SqliteOpenMode.ReadOnly)
                store.CreateTables();
            store.CheckFormat();
            return store;
        }
        catch (SqliteException e)
        {
            store.Dispose();
            throw new InvalidDataException($"'{path}' is not a result store: {e.Message}");
        }
        catch (InvalidDataException)
        {
            store.Dispose();
            throw;
        }
    }

    void CreateTables() =>
        Execute($"""
            CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS commands (id INTEGER PRIMARY KEY AUTOINCREMENT, command TEXT NOT NULL, version TEXT NOT NULL, started TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS rows (
                defense TEXT NOT NULL, attack TEXT NOT NULL, image INTEGER NOT NULL,
                true_label INTEGER NOT NULL, adversarial_label INTEGER NOT NULL, purified_label INTEGER NOT NULL,
                ssim REAL NOT NULL, l2 REAL NOT NULL, linf REAL NOT NULL, attack_seconds REAL NOT NULL, purify_seconds REAL NOT NULL,
                queries INTEGER NOT NULL, seed INTEGER NOT NULL, settings_hash TEXT NOT NULL,
                PRIMARY KEY (defense, attack, image));
            INSERT OR IGNORE INTO run (key, value) VALUES ('format_version', '{FormatVersion}');
            """);

    static SqliteConnection Connect(string path, SqliteOpenMode mode)
    {
        // No pooling: the file is closed on Dispose, so it can be renamed (merge) or copied at once.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        try
        {
            connection.Open();
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new InvalidDataException($"'{path}' is not a result store: {e.Message}");
        }
    }

    void CheckFormat()
    {
        string? version = Value("format_version");
        if (version != FormatVersion.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"'{Path}' is a result store of format {version ?? "none"}; this dipdefense reads format {FormatVersion}.");
    }

    /// <summary>The settings the store's rows were made with (JSON), or null for a new store.</summary>
    public string? Settings => Value("settings");

    /// <summary>The hash of <see cref="Settings"/>, or null for a new store.</summary>
    public string? SettingsHash => Value("settings_hash");

    /// <summary>
    /// Records the run's settings in a new store, or checks that an existing store holds the same ones.
    /// </summary>
    /// <exception cref="ArgumentException">The store holds another setting; the message names what differs.</exception>
    public void Claim(RunSettings settings)
    {
        if (SettingsHash is { } stored)
        {
            if (stored != settings.Hash)
                throw new ArgumentException(
                    $"--store '{Path}' holds a run with other settings ({string.Join(", ", RunSettings.Differences(Settings!, settings.Json))} differ); " +
                    "rerun with the store's settings (dipdefense report shows them) or give another --store.");
            return;
        }
        Execute("INSERT INTO run (key, value) VALUES ('settings', $settings), ('settings_hash', $hash)",
            ("$settings", settings.Json), ("$hash", settings.Hash));
    }

    /// <summary>Records a command that wrote to the store, started at <paramref name="started"/> (ISO 8601 UTC; default now).</summary>
    public void RecordCommand(string command, string version, string? started = null) =>
        Execute("INSERT INTO commands (command, version, started) VALUES ($command, $version, $started)",
            ("$command", command), ("$version", version), ("$started", started ?? DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)));

    /// <summary>The commands that wrote to the store, oldest first: (command line, package version, UTC start).</summary>
    public IReadOnlyList<(string Command, string Version, string Started)> Commands()
    {
        using var command = Command("SELECT command, version, started FROM commands ORDER BY id");
        using var reader = command.ExecuteReader();
        var commands = new List<(string, string, string)>();
        while (reader.Read())
            commands.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        return commands;
    }

    /// <summary>The images that have all <paramref name="rowsPerImage"/> rows (one per defense and attack).</summary>
    public IReadOnlySet<int> CompleteImages(int rowsPerImage)
    {
        using var command = Command("SELECT image FROM rows GROUP BY image HAVING COUNT(*) = $n", ("$n", rowsPerImage));
        using var reader = command.ExecuteReader();
        var images = new HashSet<int>();
        while (reader.Read())
            images.Add(reader.GetInt32(0));
        return images;
    }

    /// <summary>Stores one image's rows in one transaction: all of them or, if the process dies, none.</summary>
    public void AddImage(IReadOnlyList<EvaluationRow> rows) => Add(rows, replace: true);

    /// <summary>Stores rows in one transaction; a row whose key is stored already replaces it (<paramref name="replace"/>) or is an error.</summary>
    public void Add(IReadOnlyList<EvaluationRow> rows, bool replace)
    {
        using var transaction = connection.BeginTransaction();
        using var command = Command($"INSERT {(replace ? "OR REPLACE " : "")}INTO rows ({RowColumns}) VALUES ({string.Join(", ", RowColumns.Split(", ").Select(c => "$" + c))})");
        command.Transaction = transaction;
        foreach (var row in rows)
        {
            command.Parameters.Clear();
            object[] values = [row.Defense, row.Attack, row.Image, row.TrueLabel, row.AdversarialLabel, row.PurifiedLabel,
                row.Ssim, row.L2, row.Linf, row.AttackSeconds, row.PurifySeconds, row.Queries, row.Seed, row.SettingsHash];
            foreach (var (name, value) in RowColumns.Split(", ").Zip(values))
                command.Parameters.AddWithValue("$" + name, value);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>Every row, ordered by defense, attack and image.</summary>
    public IReadOnlyList<EvaluationRow> Rows()
    {
        using var command = Command($"SELECT {RowColumns} FROM rows ORDER BY defense, attack, image");
        using var reader = command.ExecuteReader();
        var rows = new List<EvaluationRow>();
        while (reader.Read())
            rows.Add(new EvaluationRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
                reader.GetInt32(5), reader.GetDouble(6), reader.GetDouble(7), reader.GetDouble(8), reader.GetDouble(9), reader.GetDouble(10),
                reader.GetInt64(11), reader.GetInt64(12), reader.GetString(13)));
        return rows;
    }

    string? Value(string key)
    {
        using var command = Command("SELECT value FROM run WHERE key = $key", ("$key", key));
        return command.ExecuteScalar() as string;
    }

    void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        command.ExecuteNonQuery();
    }

    SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return command;
    }

    /// <inheritdoc />
    public void Dispose() => connection.Dispose();
}
