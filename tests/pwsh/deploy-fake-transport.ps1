# Runs a bundle's Deploy-Certificates.ps1 against a fake transport, for tests/it/deploy_pwsh.rs
# (which builds the bundle, writes the answers and checks every report). Needs pwsh; nothing here
# talks to another computer. Each host of the list answers as the file beside its name in
# -Answers says:
#   <host>.json   its job returns a text line, then that report (as the installer's remote mode)
#   <host>.wrap   its job runs Deploy's own remote script block with a small script text that
#                 prints the parameters it was given and returns <host>.wrap's report
#   <host>.throw  the transport itself fails with that message (as for a name not resolved)
#   <host>.fail   its job fails with that message (as WinRM does for access denied)
#   <host>.clm    its job answers as a Constrained Language endpoint
#   <host>.hang   its job runs until -TimeoutSeconds stops it
# For every host the transport starts, it writes <host>.sent: what it was given to send.
param(
    [Parameter(Mandatory = $true)][string]$Bundle,
    [Parameter(Mandatory = $true)][string]$Answers,
    [Parameter(Mandatory = $true)][string]$Hosts,
    [Parameter(Mandatory = $true)][string]$ReportDir,
    [switch]$CheckOnly
)
$ErrorActionPreference = 'Stop'

$fake = {
    param([string]$Name, [scriptblock]$Script, [object[]]$Arguments)
    $base = Join-Path $Answers $Name
    $text = [string]$Arguments[0]
    $params = $Arguments[1]
    $sha = [System.Security.Cryptography.SHA256]::Create()
    $hash = [System.BitConverter]::ToString($sha.ComputeHash([System.Text.Encoding]::ASCII.GetBytes($text))).Replace('-', '')
    $sent = @('text-sha256=' + $hash)
    foreach ($key in @($params.Keys | Sort-Object)) { $sent += ($key + '=' + [string]$params[$key]) }
    Set-Content -LiteralPath ($base + '.sent') -Value $sent -Encoding ascii
    if (Test-Path -LiteralPath ($base + '.json')) {
        $json = Get-Content -LiteralPath ($base + '.json') -Raw
        return Start-Job -ScriptBlock { param($j) 'certbundle installer - remote text report'; $j } -ArgumentList $json
    }
    if (Test-Path -LiteralPath ($base + '.wrap')) {
        $json = Get-Content -LiteralPath ($base + '.wrap') -Raw
        $b64 = [System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($json))
        $small = "[CmdletBinding(SupportsShouldProcess = `$true)]`nparam([string]`$RemoteDigest, [switch]`$CheckOnly, [string]`$ExpectedDigest)`n" +
            "'WRAP ' + `$RemoteDigest + ' CheckOnly=' + [string][bool]`$CheckOnly + ' WhatIf=' + [string]`$WhatIfPreference + ' Confirm=' + [string]`$ConfirmPreference`n" +
            "[System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('" + $b64 + "'))`n"
        return Start-Job -ScriptBlock $Script -ArgumentList @($small, $params)
    }
    if (Test-Path -LiteralPath ($base + '.throw')) {
        throw (Get-Content -LiteralPath ($base + '.throw') -Raw)
    }
    if (Test-Path -LiteralPath ($base + '.fail')) {
        $message = Get-Content -LiteralPath ($base + '.fail') -Raw
        return Start-Job -ScriptBlock { param($m) throw $m } -ArgumentList $message
    }
    if (Test-Path -LiteralPath ($base + '.clm')) {
        return Start-Job -ScriptBlock { 'certbundle-language-mode ConstrainedLanguage' }
    }
    if (Test-Path -LiteralPath ($base + '.hang')) {
        return Start-Job -ScriptBlock { Start-Sleep -Seconds 3600 }
    }
    throw ('the test gave no answer for ' + $Name)
}.GetNewClosure()

$deploy = @{
    ComputerListFile = $Hosts
    ReportDir = $ReportDir
    Transport = $fake
    TimeoutSeconds = 10
    ThrottleLimit = 2
    CheckOnly = [bool]$CheckOnly
}
& (Join-Path $Bundle 'Deploy-Certificates.ps1') @deploy
exit $LASTEXITCODE
