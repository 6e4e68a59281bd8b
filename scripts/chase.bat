@echo off
rem The returns round, for Windows Task Scheduler (e.g. daily at 9:00): plantools status, and
rem when a sub-group's pack is past its reply-by date, plantools chase --yes (one reminder a day).
rem Set PACKS to the folder of every month's packs (its newest month is taken), SMTP and SENDER
rem to the mail server and the From address. A path with spaces is fine inside the quotes.
set "PACKS=%~dp0..\workbooks\packs"
set "SMTP=smtp.council.gov.uk"
set "SENDER=bsu@council.example"

where py >nul 2>nul
if %errorlevel%==0 (set "PYTHON=py -3") else (set "PYTHON=python")
set "PYTHONPATH=%~dp0..;%PYTHONPATH%"

%PYTHON% -m plantools status "%PACKS%"
if %errorlevel%==1 (
    %PYTHON% -m plantools chase "%PACKS%" --smtp-host "%SMTP%" --sender "%SENDER%" --yes %*
)
rem no pause: a scheduled task has no one to press a key
