"""What the demo's residents answer to "När är Flens kommun som bäst?", written for the demo.

Each line is one piece of an answer: what goes before the bar says who may write it and what an analyst
codes it to, what comes after is the text. `dialogue.demo.residents` composes answers of one to three
pieces, in each resident's own style, so that about 200 answers read like about 200 people.

Before the bar, separated by spaces:
- building blocks of Flen's vision, by the keys in `BLOCKS` (none: nothing to code it to);
- ``~``: written casually (lower case, no full stop, "o" for "och"): only casual writers write it;
- ``%voice``: only residents with this voice write it (several: any of them); see `residents.VOICES`;
- ``@Locality``: only residents of that locality write it (several: any of them);
- ``*``: an analyst would quote it on the public "what we heard" page.

``{ort}`` stands for the resident's own locality.
"""

# one piece a line, however long: a resident's sentence is not broken for the line length
# ruff: noqa: E501

from __future__ import annotations

#: the keys used below -> the start of the building block's Swedish title in flen.yaml
BLOCKS = {
    "enkel": "Enkelt att bo",
    "natur": "Stolthet över naturen",
    "bo": "Bra boende",
    "jobb": "Ett bra klimat för näringslivet",
    "skola": "Skolor med hög kvalitet",
    "samverkan": "Vi driver vår egen utveckling",
    "hallbar": "Hållbar utveckling",
    "besok": "Ett vänligt och gästfritt besöksmål",
    "nara": "Nära till varandra",
}

# -- Swedish ------------------------------------------------------------------------------------------

# short things named in a list: "Naturen, lugnet och föreningarna."
SV_THINGS = """
natur | naturen
natur hallbar | sjöarna
natur | skogarna
enkel | lugnet
bo | närheten till Stockholm
bo | tåget
bo | de billiga husen
nara | föreningslivet
nara | gemenskapen
enkel nara | småskaligheten
natur | de små orterna
natur besok | slotten och herrgårdarna
natur | kulturmiljöerna
natur | friluftslivet
natur besok | badplatserna
nara | idrottsföreningarna
nara | eldsjälarna
natur nara | hembygdsföreningarna
nara enkel | tryggheten
enkel | de korta avstånden
bo | läget mitt i Sörmland
natur | landsbygden
natur | jakten och fisket
natur | de gamla kyrkorna
skola | förskolorna
skola | de små skolorna
jobb natur | lantbruket
jobb | småföretagen
besok | loppisarna
besok nara | marknaderna
enkel nara | biblioteken
nara | människorna
nara | grannarna
natur | historien
natur hallbar | den rena luften
enkel natur | tystnaden
bo | pendlingsmöjligheterna
enkel | att allt finns nära
besok | caféerna på sommaren
enkel | vårdcentralen
nara enkel | hemtjänsten
natur | stjärnhimlen
natur besok | Sörmlandsleden
bo | tomterna vid vattnet
nara | kören
nara skola | musikskolan
"""

SV_STRENGTHS = """
natur hallbar * | Naturen. Man har skog och sjö runt knuten vart man än bor i kommunen.
natur * | Att varje ort har sin egen karaktär. Malmköping är inte Flen och Hälleforsnäs är inte Sparreholm, och det är just det som är fint.
nara * | Folk ställer upp för varandra. När något händer finns det alltid någon som hjälper till.
enkel | Det är lugnt och enkelt att leva här. Inga köer, ingen stress.
bo | Läget! En timme till Stockholm med tåget och nära till Eskilstuna, Katrineholm och Nyköping.
bo | Man får ett hus med trädgård för vad en tvåa kostar i stan.
nara | Föreningarna. Utan dem skulle det inte hända någonting alls på landet.
natur besok | Vi har slott och herrgårdar som Sparreholm, Stenhammar och Harpsund. Det är inte många kommuner som kan säga det.
enkel nara | Småskaligheten. Man kan ringa kommunen och faktiskt få prata med någon som vet.
natur hallbar | Sjöarna! Det finns väl hundratals och de flesta går att bada i.
nara | Här hälsar man på varandra när man möts.
natur | Historien finns överallt: bruket, järnvägen, de gamla gårdarna.
jobb | Det finns många små företag som håller ihop och anlitar varandra.
skola | Skolorna i de mindre orterna, där lärarna känner varje barn.
natur | Skogen börjar där tomten slutar. Allemansrätten blir verklig här.
nara enkel | Tryggheten. Man behöver inte låsa cykeln utanför affären.
natur enkel | Det är vackert. Det låter enkelt men man blir glad varje morgon.
bo jobb | Att det går att bo billigt och ändå nå en stor arbetsmarknad.
nara natur | Hembygdsföreningarna som håller gårdar, kvarnar och traditioner levande.
enkel | Det är nära till allt, och ändå är det aldrig trångt.
natur besok | Kulturarvet. Kyrkorna, slotten, runstenarna.
nara | Det är en kommun där man blir sedd, på gott och ont.
bo natur | Att man kan bo på landet och ändå ha tåg till Stockholm.
natur ~ | Naturen o sjöarna, de e det bästa
nara ~ | mänskorna!!
bo ~ | billiga hus. o nära till sthlm
enkel | Vet inte riktigt, men lugnet kanske
 | Har ingen aning ärligt talat.
 | Svårt att säga.
 | Styrkor? Det får kommunen berätta för mig.
natur | Naturen. Den har ingen lyckats förstöra än i alla fall.
nara | Det finns en gemenskap här som jag saknade när jag bodde i stan.
natur | Att det är så mycket vatten överallt. Man kan paddla från sjö till sjö.
nara | Människorna, när de väl lärt känna en.
natur | Årstiderna märks. Riktig vinter, riktig vår.
besok nara | Sommarhalvåret när allt vaknar: marknader, loppisar, caféer.
enkel natur | Man har plats. Plats att bo, plats att odla, plats att tänka.
nara | Att det är okej att vara som man är.
nara %ung ~ | Att alla känner alla typ. Det är både bra och dåligt haha
natur %ung ~ | sommarn vid sjön. bästa som finns
nara %ung | Fritidsgården och att man har sina kompisar nära.
bo %ung ~ | att tåget går till sthlm så man kan åka in o shoppa
skola %ung | Vissa lärare är riktigt bra och bryr sig på riktigt.
nara %ung | Fotbollen. Laget är som en familj.
natur %ung | Man kan åka moped ut till sjön och bara hänga.
nara enkel %aldre | Hemtjänsten har varit till stor hjälp för min man och mig. De är vänliga och kommer när de har sagt.
natur %aldre | Jag har bott här i femtio år och ser fortfarande något nytt varje gång jag går ut i skogen.
nara %aldre | Pensionärsföreningen, kyrkan och grannarna. Man är aldrig ensam om man inte vill.
enkel %aldre | Allt finns inom gångavstånd: apoteket, affären och vårdcentralen.
nara %aldre | Att de unga hälsar och hjälper en med kassarna. Det finns en vänlighet här.
natur %aldre | Min barndoms landskap finns kvar, och det är inte självklart.
skola %foralder | Förskolan har varit fantastisk för vår dotter. Personalen är engagerad och grupperna små.
natur enkel %foralder | Barnen växer upp med skog och sjö i stället för asfalt.
nara %foralder | Idrottsföreningarna, där föräldrar ställer upp som ledare helt ideellt.
enkel %foralder | Det är lätt att få förskoleplats och det ligger nära hemmet.
nara skola %foralder | Barnen får vara barn längre här. De leker ute.
bo %pendlare | Jag pendlar till Stockholm och sitter på tåget en dryg timme. Det går att jobba på vägen.
bo enkel %pendlare | Man kan ha jobbet i stan och livet här. Det bästa av två världar.
bo %pendlare | Tåget. Utan tåget skulle vi inte bo här.
nara * %inflyttad | Vi flyttade hit från Stockholm för tre år sedan och blev väldigt väl mottagna av grannarna.
bo natur %inflyttad | Vi hade aldrig haft råd med ett hus nära sjön någon annanstans.
nara %inflyttad | Som inflyttad märker man att folk är nyfikna och vänliga, om man själv tar första steget.
nara %inflyttad | Jag kom hit från Syrien och har blivit väl mottagen av mina grannar och i kyrkan.
jobb %foretag | Som företagare uppskattar jag att det är nära till beslutsfattarna.
jobb bo %foretag | Läget mellan Stockholm, Mälardalen och Östergötland är bra för transporter.
jobb %foretag | Det finns yrkeskunnigt folk här, många med hantverk och industri i bakgrunden.
jobb %foretag | Lokalerna är billiga jämfört med i storstan.
nara %forening | Ideella krafter. Vår förening har ett fyrtiotal medlemmar som gör allt från gräsklippning till lotteriförsäljning.
nara natur %forening | Bygdegårdarna och hembygdsgårdarna som hålls levande av frivilliga.
nara %forening | Det är lätt att samarbeta mellan föreningarna, man känner ju varandra.
besok natur %besok | Vi har sommarstuga vid Båven sedan tjugo år och naturen är helt fantastisk.
besok enkel %besok | Den lugna stämningen. Man kommer hit och andas ut.
besok %besok | Gårdsbutikerna och caféerna man hittar längs småvägarna.
nara enkel %anstalld | Jag arbetar i kommunen och ser hur mycket kollegorna bryr sig om dem vi finns till för.
samverkan %anstalld | Korta beslutsvägar. Man får saker gjorda snabbt när alla vill.
natur besok @Malmköping | Malmköping med torget, museispårvägen och Malma hed.
natur @Malmköping | Småstadskänslan i Malmköping, med trähusen och torget.
natur @Hälleforsnäs * | Bruket och gjuteritraditionen. Hälleforsnäs har en historia att vara stolt över.
nara @Hälleforsnäs | Folkets hus och att folk i Hälleforsnäs håller ihop när det blåser.
natur besok @Sparreholm | Slottet och sjöarna runt Sparreholm.
natur @Mellösa | Mellösa kyrka och landskapet bort mot Harpsund.
bo @Flen | Stationen. Flen har alltid varit en järnvägsort och det är en styrka än i dag.
natur nara @Bettna | Bettna är litet men här finns en riktig bygemenskap.
nara @Vadsbro | I Vadsbro ordnar vi det mesta själva, från midsommarfirandet till isbanan.
natur enkel @Skebokvarn | Skogen och tystnaden runt Skebokvarn.
nara | Att man känner sina grannar här i {ort}.
natur | {ort} har en egen stämning som man inte hittar någon annanstans.
enkel | I {ort} har man nära till det man behöver i vardagen.
natur | Att man ser rådjur från köksfönstret.
bo enkel | Det går fort att ta sig överallt, det är aldrig bilköer.
nara | Alla små byar där folk fortfarande ordnar saker tillsammans.
natur hallbar | Vattnet. Båven och alla småsjöar, man kan bada i en ny sjö varje vecka hela sommaren.
nara | Kyrkorna och församlingarna, som betyder mycket för många här.
jobb natur | Jordbruket och skogen ger jobb och håller landskapet öppet.
skola | Att barnen kan gå i skolan nära hemmet ända upp till nian.
natur | Att det finns gamla hus kvar. Man har inte rivit allt som i andra städer.
enkel bo | Det är billigt att leva här, både boendet och fritiden.
nara | Man hjälps åt med snöskottningen och lånar ut släpkärran till varandra.
natur besok | Slottsparkerna, alléerna och de gamla vägarna mellan gårdarna.
nara * | Det finns plats för alla, också för den som inte passar in i mallen.
enkel bo %aldre | Färdtjänsten fungerar bra för mig som inte kör bil längre.
skola %foralder | Fritids har varit ett andra hem för våra barn.
nara %ung | Fotbollsplanen och skolgården är öppna på kvällarna, man hittar alltid någon att spela med.
bo %ung | Att man kan ta moppen överallt.
jobb %foretag | Kommunen har blivit mycket bättre på att besöka företagen de senaste åren.
jobb %foretag | Det är lätt att få tag i mark och lokaler om man vill växa.
nara %forening | Idrottsrörelsen. Hundratals barn tränar varje vecka tack vare frivilliga ledare.
natur nara %forening | Hembygdsföreningen har gjort ett fantastiskt jobb med att dokumentera bygdens historia.
besok enkel %besok | Att man får vara i fred. Ingen trängsel på badplatserna ens i juli.
nara skola %inflyttad | Mina barn fick vänner direkt i skolan.
bo %pendlare | Tåget från Flen till Stockholm. När det fungerar är det oslagbart.
nara enkel %anstalld | Personalen i äldreomsorgen, som gör ett tungt jobb med stort hjärta.
natur @Malmköping | Malmköpings militärhistoria och Malma hed.
besok @Malmköping | Museerna och caféerna i Malmköping.
jobb @Flen | Att Flen har både industri och handel, inte bara pendlare.
nara enkel @Flen | Biblioteket i Flen, som är öppet för alla och där det alltid händer något.
natur hallbar @Sparreholm | Båven! Det finns ingen finare sjö.
nara @Mellösa | Bygdegården i Mellösa och alla som ställer upp där.
natur @Hälleforsnäs | Skogarna runt Hälleforsnäs och alla små sjöar man kan cykla till.
nara @Bettna | Alla känner alla i Bettna, och det betyder att ingen blir bortglömd.
natur @Vadsbro | Den gamla kyrkan och landskapet runt Vadsbro.
enkel natur @Skebokvarn | Det är lugnt i Skebokvarn. Man hör bara fåglarna.
nara | Det finns alltid någon att prata med i affären.
natur | Att man kan se stjärnorna på natten. Det kan man inte i stan.
besok | Alla loppisar och gårdsbutiker längs småvägarna på sommaren.
samverkan | Det är lätt att komma till tals. Politikerna är folk man känner.
natur hallbar | Att det är så grönt. Det känns som att man andas bättre här.
nara | Värmen mellan människor.
~ | va vet jag
natur ~ %ung | naturen typ
nara ~ | alla snälla mänskor
"""

SV_MOMENTS = """
besok nara @Malmköping * | När torget i Malmköping är fullt av folk en lördag i juli och alla caféer har öppet.
nara natur | Midsommarafton vid bygdegården, med dans kring stången och hembakat.
nara * | När det stormade och strömmen gick. Grannarna kom med elverk och kaffe och ingen ville ha något tillbaka.
natur | En klar vinterdag när isen har lagt sig och halva byn är ute på skridskor.
natur hallbar | Tidiga morgnar i juni när dimman ligger över sjön.
nara skola %foralder | Skolavslutningen i kyrkan. Alla sjunger, även de som inte kan.
nara | Valborg med brasan och kören.
nara %forening | När föreningarna gjorde gemensam sak och rustade upp badplatsen på en helg.
besok | Julmarknaden, när det luktar glögg och är mörkt och mysigt.
natur @Hälleforsnäs | När gjuteriet har öppet hus och man får se järnet hällas.
nara * | När en ny familj flyttar in och grannarna kommer förbi med en bulle.
nara %ung ~ | När det är disco på fritidsgården och folk från hela kommunen kommer
natur %ung ~ | sommarlovet när man badar från bryggan hela dagarna
nara %ung | När vi vann cupen och hela byn kom och tittade.
nara %aldre | När kören sjunger på äldreboendet och alla sjunger med, även de som inte längre minns så mycket.
enkel | En vanlig tisdag faktiskt. Bussen går i tid, affären har öppet och man möter folk man känner.
bo %pendlare | När tåget hem går i tid och jag kliver av och hör fåglarna.
jobb %foretag | När vi fick hjälp av näringslivskontoret att hitta en ny lokal på två veckor.
samverkan | När kommunen bjuder in till sådant här, att man får säga sitt.
samverkan * | När politikerna kom ut till byn och lyssnade på riktigt, i stället för att bara prata.
nara | När skolan samlade in pengar till familjen vars hus brann ner.
besok %besok | Första kvällen på sommaren när vi kommer till stugan och grannen redan har klippt gräset åt oss.
natur | På hösten när man plockar svamp och lingon och inte möter en enda människa.
 | Vet inte.
 | Kommer inte på något just nu.
natur | På sommaren, helt klart.
nara | När vi hade byafest och alla generationer var med, från bebisar till gammelmormor.
besok natur | När turisterna cyklar förbi och stannar för att fråga om vägen till slottet.
natur nara | Kräftskivan i augusti nere vid sjön med grannarna.
natur | Vårvinter i mars med skare och sol. Då åker vi skidor över fälten.
nara %inflyttad | Första julen här när grannarna bjöd in oss på julbord. Vi kände ingen, men det gjorde inget.
skola %foralder | När min sons lärare ringde hem bara för att berätta att det gått bra på provet.
nara %forening | Vår förening fyllde hundra år och fick ett brev från kommunen. Det värmde.
jobb %foretag | Den dag vi anställde vår första medarbetare, en tjej från orten som vi kände sedan hon var liten.
besok @Sparreholm | När det är konsert på slottet i Sparreholm och folk har åkt långt för att komma.
natur besok @Malmköping | En sommarkväll på Malma hed när spårvagnen tuffar förbi.
nara @Hälleforsnäs | När hela Hälleforsnäs samlades i Folkets hus för att fira att skolan fick vara kvar.
nara @Flen | Kulturnatten i Flen, när butikerna har öppet sent och det spelas musik på gatorna.
nara natur @Bettna | Gökottan i Bettna på Kristi himmelsfärds morgon.
nara | När man står i kön på affären och pratar bort en halvtimme.
natur hallbar | Den första varma dagen i maj när man kan ta kaffet ute och det doftar hägg.
nara | När någon i byn fyller år och alla kommer förbi med en blomma.
samverkan nara | När vi boende gick ihop och fick igång en egen bybuss. Kommunen hjälpte till och det fungerade.
enkel %aldre | När jag blev sjuk och fick hjälp samma dag. Det glömmer jag inte.
nara %ung ~ | när man sitter vid kiosken med kompisarna en sommarkväll
besok | Loppisrundan en helg i maj. Man hittar saker och träffar folk.
natur | När tranorna kommer på våren och man hör dem över hela dalen.
nara * | Vid kriser. Då ser man hur mycket folk bryr sig om varandra här.
bo | När de byggde ut bredbandet i byn och vi plötsligt kunde jobba hemifrån.
natur | Hela sommaren, men mest juli.
nara | Alltid när vi gör något tillsammans.
natur | En morgon i september när jag cyklade till jobbet genom dimman och solen kom upp över fälten.
nara | Julottan, när kyrkan är fullsatt och alla sjunger.
nara %foralder | När barnens fotbollslag spelade final och halva orten stod längs linjen.
besok | Veteranbilsträffen en sommarkväll, när hela torget är fullt av gamla bilar.
nara * | Efter skyfallet, när alla hjälpte varandra att länsa källarna.
natur | Första snön. Då blir allt tyst och ljust.
nara %aldre | När jag fyllde åttio och hela släkten och grannarna kom till bygdegården.
samverkan | När vi samlade in namn för att rädda busslinjen och faktiskt lyckades.
jobb | När en ny butik öppnar och det står folk i kö utanför.
nara jobb %inflyttad | När jag fick mitt första jobb här, i hemtjänsten. Kollegorna lärde mig svenska.
nara ~ %ung | på skolavslutningen när alla är glada o sommarlovet börjar
besok natur %besok | När vi hyrde kanoter och paddlade mellan sjöarna en hel dag.
natur @Sparreholm | En kväll på bryggan i Sparreholm med utsikt över Båven.
nara @Malmköping | När Malmköping firar nationaldagen på torget.
besok @Hälleforsnäs | Julmarknaden i Hälleforsnäs med gjutjärn och glögg.
nara @Mellösa | Midsommar i Mellösa, med hela bygden på ängen.
nara @Flen | När det var skridskodisco på isbanan i Flen.
nara %forening | När vi fyllde bygdegården för första gången efter renoveringen.
jobb %foretag | När vi fick vår första stora order och kunde anställa två till från orten.
natur | När näktergalen sjunger i juni.
nara | När folk möts på återvinningen och pratar bort en halvtimme.
nara skola | När skolan hade öppet hus och eleverna visade vad de gjort.
enkel | När man får hjälp direkt, utan att behöva jaga någon.
natur ~ | sommaren o badet
nara | På torsdagarna när det är sopplunch i församlingshemmet.
"""

SV_USE = """
natur besok * | Berätta om naturen för dem som bor i stan. Många vet inte att det finns så här fina sjöar en timme från Stockholm.
bo | Bygg bostäder nära stationerna så att fler kan pendla.
nara | Ge föreningarna bättre förutsättningar, till exempel billigare lokaler och enklare regler för bidrag.
natur * | Låt orterna behålla sin egen karaktär. Gör inte allt likadant.
besok jobb | Satsa på turism med boende, mat och cykelleder runt sjöarna.
jobb | Hjälp småföretagen att samarbeta och marknadsföra sig tillsammans.
samverkan | Samarbeta mer med grannkommunerna i stället för att konkurrera.
skola | Gör de små skolorna till ett skäl att flytta hit: små klasser och naturen inpå knuten.
hallbar * | Ta hand om sjöarna. Rent vatten är en framtidsfråga.
samverkan nara | Fråga oss oftare! Det här är bra, men det behöver hända mer än en gång.
nara samverkan %ung ~ | Låt unga vara med och bestämma om sånt som rör oss, typ fritidsgården
bo natur | Marknadsför kommunen som ett alternativ till storstan: billigare, lugnare, grönare.
besok | Skylta upp sevärdheterna bättre från de stora vägarna.
jobb hallbar | Satsa på lokal mat. Bönder, gårdsbutiker och restauranger kan samarbeta.
natur | Ta vara på kulturmiljöerna och se dem som en resurs, inte ett hinder.
nara | Använd föreningarna när nya invånare ska känna sig välkomna.
enkel | Håll kvar servicen i orterna. Hellre lite service överallt än mycket på ett ställe.
hallbar bo | Bygg cykelvägar mellan orterna, då blir det både friskare och billigare att ta sig fram.
jobb skola | Koppla ihop skolan med företagen så att unga ser vilka jobb som finns här.
besok @Malmköping | Använd Malma hed och museispårvägen i marknadsföringen, de är unika.
natur jobb @Hälleforsnäs | Gör något av bruksmiljön i Hälleforsnäs: ett museum, ateljéer, en plats för hantverkare.
besok @Sparreholm | Samarbeta med slottet i Sparreholm om evenemang.
samverkan | Låt invånarna vara med från början och inte bara tycka till i slutet.
bo | Hyresrätter i de mindre orterna, så att äldre kan sälja huset och bo kvar.
jobb | Gör det lätt att starta företag. En väg in till kommunen, snabba svar.
natur besok | Vandrings- och kanotleder med bra kartor och rastplatser.
nara | Skapa mötesplatser mellan generationerna.
enkel samverkan %anstalld | Vi som jobbar i kommunen kan bli bättre på att ta tillvara idéer från medborgarna. Det borde finnas ett enkelt sätt att lämna förslag.
jobb %foretag | Köp lokalt! Kommunen kan dela upp upphandlingar så att små företag kan vara med.
nara %forening | Ge föreningarna ett eget utrymme på kommunens webbplats där vi kan nå ut.
besok %besok | Fler sommaraktiviteter som riktar sig till oss som har fritidshus, vi är många som vill bidra.
skola %foralder | Satsa på förskolan och skolan, det är det första barnfamiljer tittar på.
bo %pendlare | Pendlarparkering vid stationen och tåg som passar arbetstiderna.
 | Vet ej.
natur | Visa upp naturen mer.
samverkan | Genom att lyssna på oss som bor här.
besok | Mer turism
nara | Ta vara på engagemanget, det finns massor av folk som vill göra saker om de bara får.
hallbar | Bli en föregångare på miljö: solceller, laddstolpar, rena sjöar.
natur nara | Lyft fram byarnas historia med skyltar och vandringar, gärna tillsammans med hembygdsföreningarna.
jobb bo | Erbjud tomter och lokaler billigt till den som vill flytta hit och starta något.
samverkan | Ta plats i regionen. Vi syns för lite i Sörmland och i Stockholmsregionen.
nara %inflyttad | Ett välkomstpaket till nyinflyttade, med föreningar, badplatser och vem man ringer.
nara %ung ~ | Ha fler grejer för unga typ konserter o lan
jobb | Starta ett nätverk där nya och gamla företagare kan träffas.
bo | Sälj tomter vid sjöarna och marknadsför dem i Stockholm.
besok | Paketera upplevelser: slott, natur och mat, en helg i Sörmlands hjärta.
natur | Visa upp de små orterna, inte bara Flen.
skola | Satsa på lärarna. Ge dem tid och bra löner så att de stannar.
nara | Låt föreningarna sköta badplatser och elljusspår, med stöd från kommunen.
hallbar | Gör kommunen till ett exempel på hur landsbygden kan vara hållbar.
samverkan | Fråga invånarna oftare på nätet, det här fungerar ju!
bo | Se till att bredbandet når alla, då kan fler bo här och jobba på distans.
jobb besok @Malmköping | Låt Malmköping bli en levande handelsort igen, med hantverk och caféer året runt.
nara @Hälleforsnäs | Rusta upp Folkets hus i Hälleforsnäs och gör det till ett kulturhus för hela kommunen.
besok hallbar @Sparreholm | Bygg en gång- och cykelväg runt Båven.
besok %besok | En sommarguide för oss som har fritidshus och för turister.
nara skola %aldre | Låt oss äldre bidra, vi har tid och erfarenhet. Till exempel som läsmorfar i skolan.
skola jobb %ung | Mer praktik på riktiga jobb under högstadiet.
jobb samverkan %foretag | Frukostmöten där företagare och politiker träffas regelbundet.
nara %forening | Ett gemensamt föreningshus där flera föreningar kan dela på lokal och utrustning.
natur | Berätta om hur orterna vuxit fram kring järnvägen, bruket och godsen.
enkel | Gör det enkelt att göra rätt: tydlig information och raka svar.
besok ~ | mer reklam för kommunen
"""

SV_CHANGE = """
bo * | Bussarna. Sista bussen hem från Flen går alldeles för tidigt om man vill gå på bio eller träna.
bo | Bredband till landsbygden! Man kan inte jobba hemifrån när det knappt går att ringa.
jobb | Centrum i Flen behöver liv. För många tomma lokaler.
skola | Lärarna byts ut för ofta. Barnen behöver någon som stannar.
nara %ung | Det finns nästan inget att göra för oss som är 15–18. Fritidsgården har öppet två kvällar i veckan.
samverkan * | Kommunen måste bli bättre på att berätta vad som händer och varför. Nu får man veta saker i efterhand.
enkel | Det är krångligt att få bygglov, det tar månader.
hallbar | Övergödningen i sjöarna. Vissa somrar kan man inte bada.
nara | Integrationen. Många som kommit hit de senaste åren har svårt att komma in i samhället och få jobb.
besok | Det behövs fler ställen för turister att bo på, vandrarhem eller bed and breakfast.
jobb %foretag | Upphandlingarna är gjorda för stora företag. Vi lokala har svårt att ens lämna anbud.
nara enkel %aldre | Det behövs fler platser på äldreboende, och man vill kunna bo kvar nära där man alltid bott.
bo %pendlare | Fler avgångar morgon och kväll, och en pendlarparkering som räcker.
enkel natur | Sluta flytta all service till Flen. Orterna dör om servicen försvinner.
skola @Bettna | Skolan i Bettna måste få finnas kvar!
samverkan | Jag tror inte att det här leder någonstans, men jag blir gärna överraskad.
 | Skatten är för hög.
bo | Vägarna är i bedrövligt skick, det är potthål överallt.
enkel | Snöröjningen på de mindre vägarna.
jobb | Fler arbetstillfällen. Folk måste kunna försörja sig här.
nara | Fler mötesplatser som inte kostar pengar.
bo | Fler lägenheter för unga som vill flytta hemifrån men stanna i kommunen.
skola | Skolresultaten måste upp. Det är det första folk tittar på när de funderar på att flytta hit.
natur | Ta bättre hand om de gamla husen i centrum innan de rivs.
hallbar | Mer källsortering och återvinning ute i byarna, inte bara i Flen.
besok | Informationen till turister är dålig, det finns knappt skyltar.
enkel | Vårdcentralen har för korta öppettider.
samverkan | Politikerna måste sluta bråka och börja samarbeta för kommunens bästa.
nara | Det känns otryggt vid stationen på kvällarna.
jobb @Hälleforsnäs | Hälleforsnäs behöver nya arbetsgivare nu när bruket inte längre sysselsätter lika många.
bo @Malmköping | Bussen mellan Malmköping och Flen går för sällan.
enkel @Sparreholm | Vi i Sparreholm saknar en affär. Närmsta ligger flera mil bort.
nara @Flen | Storgatan i Flen är ödslig på kvällarna.
bo @Mellösa | Cykelväg mellan Mellösa och Flen, det är livsfarligt att cykla på landsvägen.
natur @Vadsbro | Låt oss i Vadsbro få ta hand om badplatsen själva, vi vet vad som behövs.
~ | inget
nara %ung ~ | mer aktiviteter för unga!! och en skatepark
bo %ung | Fler bussar på helgerna så man kan ta sig till kompisar i andra orter
skola %ung ~ | skolmaten
nara %ung | Att vuxna lyssnar på oss på riktigt.
nara %aldre | Många äldre är ensamma. Det behövs någon som ser dem.
enkel %aldre | Allt ska göras på internet nu. Alla har inte dator.
skola %foralder | Större barngrupper i förskolan varje år. Det oroar mig.
bo %foralder | Trafiken förbi skolan, det behövs en säker övergång.
jobb %foretag | Det tar för lång tid att få svar från kommunen när man vill bygga ut.
bo jobb %foretag | Bredbandet är för dåligt för ett modernt företag på landsbygden.
nara %forening | Bidragen till föreningarna räcker inte och reglerna ändras hela tiden.
nara %forening | Föreningslokalerna är i dåligt skick och hyrorna har höjts.
besok %besok | Det borde vara lättare för oss sommarboende att få information om vad som händer.
samverkan %anstalld | Det behövs mer samarbete mellan förvaltningarna. Vi jobbar i stuprör.
nara %inflyttad | Det är svårt att lära känna folk. Man blir vänligt bemött men inte bjuden hem.
jobb nara %inflyttad | Jag har utbildning från mitt hemland men det är svårt att få den godkänd och få jobb.
enkel | Kommunens webbplats är svår att hitta på.
bo | Mobiltäckningen på landet är usel.
hallbar natur | Skogsavverkningarna nära sjöarna och byarna.
samverkan | Fler sådana här frågor. Bra initiativ!
nara | Hemtjänsten har för lite tid för varje person.
jobb | Handeln flyttar ut på nätet och till stormarknaderna. Vad gör vi med våra centrum?
enkel | Mindre byråkrati.
bo | Kollektivtrafiken.
jobb | Jobben!
bo | Det måste gå att ta sig mellan orterna utan bil.
enkel | Förenkla för den som vill bygga eller starta något.
natur | Kommunen har rivit gamla hus som borde ha bevarats. Det får inte hända igen.
skola | Mer stöd till barn som behöver extra hjälp i skolan.
nara | Mer samarbete mellan kommunen och föreningarna, och mindre pappersarbete.
samverkan | Politikerna måste våga fatta beslut och stå för dem.
jobb | Det behövs fler jobb för den som har högre utbildning.
hallbar | Fler laddstolpar, och bättre möjligheter att leva utan bensin och diesel.
besok | Turistinformationen är stängd när turisterna kommer.
enkel | Det tar för lång tid att få svar när man mejlar kommunen.
bo | Det finns för få lediga lägenheter, man får vänta i flera år.
nara | Fler vuxna ute på kvällarna. Ungdomarna hänger vid stationen.
natur hallbar | Stränderna växer igen med vass.
samverkan | Tänk på landsbygden när ni bestämmer saker. Vi är också kommuninvånare.
skola %foralder | Skolskjutsen tar för lång tid för de minsta barnen.
nara ~ %ung | fler bussar till träningen o billigare gym för unga
jobb %ung | Sommarjobb! Det finns nästan inga för oss som är under 18.
enkel %aldre | Jag vill kunna prata med en människa när jag ringer kommunen, inte en telefonsvarare.
enkel %aldre | Trottoarerna är hala på vintern. Sanda mer!
jobb samverkan %foretag | Fråga oss företagare vad vi behöver innan ni bestämmer.
nara %forening | Att boka lokal är krångligt och dyrt för små föreningar.
hallbar %besok | Sophämtningen vid fritidshusen fungerar dåligt på sommaren.
nara %inflyttad | Mer svenskundervisning på kvällstid, för oss som jobbar på dagarna.
bo @Skebokvarn | Vägen till Skebokvarn är i uselt skick.
enkel @Malmköping | Vi i Malmköping vill ha tillbaka apoteket.
nara @Flen | Stationsområdet i Flen behöver bli trevligare och tryggare.
bo skola @Vadsbro | Från Vadsbro går ingen buss som passar skoltiderna.
skola @Hälleforsnäs | Skolan i Hälleforsnäs behöver rustas upp, lokalerna är gamla.
~ | vet inte
bo ~ | bussarna!!!
"""

SV_CHANGE_THINGS = """
bo | kollektivtrafiken
bo | bussarna på kvällarna
jobb | fler jobb
bo | bredband på landet
nara | mer för unga att göra
skola | skolan
bo | vägarna
enkel | öppettiderna
jobb | fler butiker i centrum
bo | cykelvägarna
enkel | byråkratin
hallbar | vattenkvaliteten i sjöarna
bo | bostäder för unga
nara | äldreomsorgen
enkel | snöröjningen
besok | skyltningen
"""

# -- Danish (residents who moved from Denmark, summer residents) ----------------------------------------

DA_STRENGTHS = """
natur hallbar | Naturen og søerne. Vi flyttede hertil fra Danmark netop for det.
nara * | Folk er venlige og hjælpsomme, også når man ikke taler perfekt svensk endnu.
bo | Huspriserne. For prisen på en lejlighed i København har vi et hus med stor have.
enkel | Roen. Der er plads til at trække vejret.
natur besok | Skovene, slottene og de små landsbyer. Det er det Sverige, danskerne drømmer om.
nara | Foreningslivet er stærkt, og man bliver inviteret med.
natur | Lyset om sommeren og stjernehimlen om vinteren.
enkel nara | Det er nemt at komme i kontakt med kommunen, og man bliver taget godt imod.
skola %inflyttad | Vores børn er glade for den lille skole, hvor lærerne kender alle.
"""

DA_MOMENTS = """
nara natur | Midsommer ved søen med naboerne. Vi forstod ikke sangene, men vi dansede med.
natur | En stille vintermorgen med rimfrost i træerne og elge på marken.
nara * | Da vores nabo kom med en sæk kartofler og hjalp os med at få gang i den gamle brændeovn.
besok nara | Loppemarkederne om sommeren, hvor man møder hele egnen.
natur nara | Når isen ligger på søen, og naboerne går på skøjter.
"""

DA_USE = """
besok | Markedsfør kommunen i Danmark og Tyskland. Mange drømmer om et hus i Sverige.
natur hallbar | Pas på naturen, den er det vigtigste I har.
nara | Lav flere steder, hvor tilflyttere kan møde dem, der altid har boet her.
jobb besok | Hjælp tilflyttere med at starte egen virksomhed, for eksempel inden for turisme.
bo | Sælg de tomme huse på landet til familier fra Danmark og Tyskland.
"""

DA_CHANGE = """
bo | Bredbånd og mobildækning på landet. Vi arbejder hjemmefra, og det er svært.
enkel | Det er svært at finde information på andre sprog end svensk.
bo | Busserne kører for sjældent. Uden bil sidder man fast.
nara | Flere steder at mødes om vinteren, når der er mørkt og stille.
skola | Mere hjælp til børn, der skal lære svensk.
"""

# -- English (people who moved from abroad, visitors) ---------------------------------------------------

EN_STRENGTHS = """
natur * | The nature. Forests and lakes everywhere, and you can walk straight out into them.
nara | People are kind and patient with newcomers.
bo | It's affordable, and close enough to Stockholm by train.
natur besok | Beautiful old manor houses and castles, and the small villages look like postcards.
enkel | Quiet, safe and simple. A good place for a family.
besok enkel %besok | As a visitor: the peace and quiet, and people who smile at you in the shop.
nara | The associations. We joined the local choir and suddenly knew half the village.
bo | Houses are cheap and there's room for a garden and a workshop.
besok natur %besok | The castles and the lakes. We come back every summer.
"""

EN_MOMENTS = """
natur | Swimming in a lake at ten in the evening in June, when it's still light.
nara | The Christmas market, when everyone seems to be out.
nara %inflyttad | When our neighbours invited us to a crayfish party in August, our first year here.
besok %besok | A summer evening at a village café, with music and strawberries.
natur | Picking blueberries in August with the kids.
"""

EN_USE = """
besok | Market the lakes and the castles abroad. People in Germany and the Netherlands would love it here.
samverkan | More information in English, please. Lots of us would like to take part.
jobb | Help people start small businesses, especially in tourism.
natur hallbar | Keep the lakes clean and the forests open to everyone.
nara | Welcome newcomers from abroad: a contact person, a language café, an invitation to the associations.
"""

EN_CHANGE = """
enkel | It's hard to find information in English on the municipality's website.
bo | Buses. Without a car you are stuck, especially in the evenings.
jobb | More jobs, especially for people whose Swedish isn't perfect yet.
nara | More places where people who moved here from abroad can meet locals.
bo | Broadband and mobile coverage in the countryside.
skola | More support at school for children who are learning Swedish.
"""

#: per language: the pools for each free-text question of the questionnaire, in its order
POOLS = {
    "sv": (SV_STRENGTHS, SV_MOMENTS, SV_USE, SV_CHANGE),
    "da": (DA_STRENGTHS, DA_MOMENTS, DA_USE, DA_CHANGE),
    "en": (EN_STRENGTHS, EN_MOMENTS, EN_USE, EN_CHANGE),
}
#: short things to list, for the first and the last question (Swedish only)
THINGS = (SV_THINGS, SV_CHANGE_THINGS)
