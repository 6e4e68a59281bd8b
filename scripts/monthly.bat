@echo off
rem The monthly consolidation of the business plan, for a double-click on Windows.
rem Set PLAN to the shared workbook; a path with spaces is fine inside the quotes.
set "PLAN=%~dp0..\workbooks\MSCB Business Plan 2018-19.xlsx"

where py >nul 2>nul
if %errorlevel%==0 (set "PYTHON=py -3") else (set "PYTHON=python")

%PYTHON% "%~dp0monthly.py" "%PLAN%" %*
if errorlevel 1 (
    echo.
    echo The monthly run did not finish: read the message above.
)
pause
