# install-binary.ps1 is install-binary.sh for Windows: Helm runs it as the
# plugin's install and update hook, with HELM_PLUGIN_DIR set. Same steps:
# skip when bin\helm-todo.exe and bin\helm-todo-postrender.exe already have
# plugin.yaml's version; else download
# the release archive and verify its sha256; else build with Go; else fail
# saying what to do. A checksum mismatch stops the install.
$ErrorActionPreference = 'Stop'

$name = 'helm-todo'
$module = 'github.com/helm-todo/helm-todo'
$baseUrl = if ($env:HELM_TODO_DOWNLOAD_URL) { $env:HELM_TODO_DOWNLOAD_URL } else { 'https://github.com/helm-todo/helm-todo/releases/download' }
# The script's own directory, as in install-binary.sh: the nested
# post-renderer plugin of a checkout runs this script for the root plugin.
$pluginDir = if ($PSScriptRoot) { $PSScriptRoot } else { $env:HELM_PLUGIN_DIR }

function Fail([string]$what, [string]$fix) {
    [Console]::Error.WriteLine("error: $what")
    if ($fix) { [Console]::Error.WriteLine("fix: $fix") }
    exit 1
}

Set-Location $pluginDir
$versionLine = Select-String -Path 'plugin.yaml' -Pattern '^version:\s*"?([^"\s]+)"?' | Select-Object -First 1
if (-not $versionLine) { Fail "no version in $pluginDir\plugin.yaml" 'restore plugin.yaml from the release' }
$version = $versionLine.Matches[0].Groups[1].Value

$arch = switch ($env:PROCESSOR_ARCHITECTURE) { 'AMD64' { 'amd64' } 'ARM64' { 'arm64' } default { "unsupported-$($env:PROCESSOR_ARCHITECTURE)" } }
$exes = @('helm-todo-postrender.exe', 'helm-todo.exe')
$target = Join-Path $pluginDir 'bin\helm-todo.exe'
$prTarget = Join-Path $pluginDir 'bin\helm-todo-postrender.exe'

if ((Test-Path $target) -and (Test-Path $prTarget)) {
    $have = (& $target version 2>$null | Out-String).Trim()
    $prHave = (& $prTarget --version 2>$null | Out-String).Trim()
    if ($have -eq $version -and $prHave -eq $version) { Write-Host "${name}: bin\helm-todo.exe and bin\helm-todo-postrender.exe $version are already installed"; exit 0 }
}

$work = Join-Path ([IO.Path]::GetTempPath()) ("helm-todo-install-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $work | Out-Null

# Install-Files puts each binary from $srcDir into bin\ with one move each.
function Install-Files([string]$srcDir) {
    New-Item -ItemType Directory -Force -Path (Join-Path $pluginDir 'bin') | Out-Null
    foreach ($e in $exes) {
        $dst = Join-Path $pluginDir "bin\$e"
        $tmp = "$dst.new"
        Copy-Item (Join-Path $srcDir $e) $tmp -Force
        Move-Item $tmp $dst -Force
    }
}

try {
    $archive = "${name}_${version}_windows_${arch}.tar.gz"
    $sums = "${name}_${version}_checksums.txt"
    $url = "$baseUrl/v$version"
    $downloaded = $false
    if ($env:HELM_TODO_FORCE_BUILD -ne '1' -and -not $arch.StartsWith('unsupported')) {
        try {
            Write-Host "${name}: downloading $url/$archive"
            Invoke-WebRequest -UseBasicParsing -Uri "$url/$archive" -OutFile (Join-Path $work $archive)
            Invoke-WebRequest -UseBasicParsing -Uri "$url/$sums" -OutFile (Join-Path $work $sums)
            $downloaded = $true
        } catch {
            Write-Host "${name}: download failed: $($_.Exception.Message); building from source instead"
        }
    }
    if ($downloaded) {
        $want = (Get-Content (Join-Path $work $sums) | ForEach-Object { $f = $_ -split '\s+'; if ($f[1] -eq $archive -or $f[1] -eq "*$archive") { $f[0] } } | Select-Object -First 1)
        if (-not $want) { Fail "$sums from $url has no entry for $archive" 'report it to the helm-todo maintainers' }
        $got = (Get-FileHash -Algorithm SHA256 (Join-Path $work $archive)).Hash.ToLower()
        if ($got -ne $want.ToLower()) { Fail "checksum mismatch for $archive from ${url}: got sha256 $got, the release lists $want; nothing was installed" 'retry the install; if it persists the download is corrupt or tampered with, so report it' }
        $x = Join-Path $work 'x'
        New-Item -ItemType Directory -Path $x | Out-Null
        tar -xzf (Join-Path $work $archive) -C $x
        if ($LASTEXITCODE -ne 0) { Fail "cannot unpack $archive" 'retry the install' }
        foreach ($e in $exes) {
            if (-not (Test-Path (Join-Path $x "bin\$e"))) { Fail "$archive has no bin\$e; nothing was installed" 'report it to the helm-todo maintainers' }
        }
        Install-Files (Join-Path $x 'bin')
        Write-Host "${name}: installed bin\helm-todo.exe and bin\helm-todo-postrender.exe $version (sha256 verified)"
        exit 0
    }
    if (-not (Get-Command go -ErrorAction SilentlyContinue)) {
        Fail "cannot download helm-todo $version and Go is not installed to build it from source" "connect to the internet and run '$pluginDir\install-binary.ps1' again; or install Go 1.26+ (https://go.dev/dl) and run it again; or unpack $url/$archive into $pluginDir by hand"
    }
    Write-Host "${name}: building bin\helm-todo.exe and bin\helm-todo-postrender.exe $version from source"
    foreach ($e in $exes) {
        $cmd = $e -replace '\.exe$', ''
        go build -trimpath -ldflags "-s -w -X $module/internal/version.Version=$version" -o (Join-Path $work $e) "./cmd/$cmd"
        if ($LASTEXITCODE -ne 0) { Fail "go build of $cmd $version failed (output above); nothing was installed" "fix the build error, or connect to the internet and run '$pluginDir\install-binary.ps1' again" }
    }
    Install-Files $work
    Write-Host "${name}: installed bin\helm-todo.exe and bin\helm-todo-postrender.exe $version (built from source)"
} finally {
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
